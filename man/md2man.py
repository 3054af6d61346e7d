#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Turn a tool's Markdown manual into a man page (roff, man(7) macros).

usage: md2man.py SOURCE.md OUTPUT NAME SECTION VERSION "ONE-LINE DESCRIPTION"

The Markdown is the subset our READMEs and man/*.md use: `#` title (dropped:
NAME comes from the arguments), `##` sections, `###` subsections, paragraphs,
fenced code blocks, `-`/`1.` lists (nested by indentation), pipe tables
(rendered as tagged paragraphs: first cell the tag, the others the text),
`code`, **bold**, *italic*, [links](target) and <!-- comments -->.  Text
before the first `##` goes under DESCRIPTION.  Anything else is kept as
text, so a page never loses words; `man --warnings -l` in ctest
(install.prefix, man.lint) catches roff that does not render cleanly.
"""
import re
import sys

SECTION_NAMES = {"synopsis": "SYNOPSIS", "description": "DESCRIPTION", "options": "OPTIONS",
                 "exit status": "EXIT STATUS", "examples": "EXAMPLES", "see also": "SEE ALSO",
                 "files": "FILES", "environment": "ENVIRONMENT"}


def escape(text):
    """Text safe for roff: backslashes, non-ASCII as \\[uXXXX]."""
    out = []
    for ch in text.replace("\\", "\\e"):
        if ord(ch) < 128:
            out.append(ch)
        else:
            out.append("\\[u%04X]" % ord(ch))
    return "".join(out)


def line_safe(line):
    """A line must not start with a control character ('.' or ')."""
    return "\\&" + line if line[:1] in (".", "'") else line


def inline(text):
    """Markdown inline markup to roff fonts; code spans are literal."""
    parts = re.split(r"(`[^`]*`)", text)
    out = []
    for p in parts:
        if p.startswith("`") and p.endswith("`") and len(p) >= 2:
            out.append("\\fB" + escape(p[1:-1]).replace("-", "\\-") + "\\fR")
            continue
        p = re.sub(r"<!--.*?-->", "", p)
        p = re.sub(r"\[([^\]]+)\]\((https?://[^)]+)\)", r"\1 <\2>", p)
        p = re.sub(r"\[([^\]]+)\]\(([^)]+)\)", r"\1", p)
        p = escape(p)
        p = re.sub(r"\*\*([^*]+)\*\*", r"\\fB\1\\fR", p)
        p = re.sub(r"(?<![\w*])\*([^*\s][^*]*)\*(?![\w*])", r"\\fI\1\\fR", p)
        p = re.sub(r"(?<![\w_])_([^_\s][^_]*)_(?![\w_])", r"\\fI\1\\fR", p)
        out.append(p)
    return "".join(out)


def fill(lines):
    """Paragraph lines, joined and made roff-safe."""
    text = " ".join(l.strip() for l in lines)
    return line_safe(inline(text))


def code_block(lines, out):
    out.append(".PP")
    out.append(".RS 4")
    out.append(".nf")
    for l in lines:
        out.append(line_safe(escape(l).replace("-", "\\-")) if l else "")
    out.append(".fi")
    out.append(".RE")


def table(rows, out):
    cells = [[c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", r.strip()[1:-1])]
             for r in rows]
    header, body = cells[0], [c for c in cells[1:] if not all(re.fullmatch(r":?-+:?", x) for x in c)]
    for row in body:
        out.append(".TP")
        out.append(line_safe(inline(row[0])))
        rest = row[1:]
        if len(rest) == 1:
            out.append(fill([rest[0]]))
        else:
            out.append(fill(["; ".join("%s: %s" % (h, c) for h, c in zip(header[1:], rest) if c)]))


LIST_ITEM = re.compile(r"^(\s*)([-*]|\d+\.)\s+(.*)$")


def convert(src, name, section, version, desc):
    out = ['.\\" Generated from Markdown by man/md2man.py: edit the source, not this file.',
           '.TH %s %s "" "uxdp %s" "uxdp"' % (name.upper(), section, version),
           ".SH NAME", "%s \\- %s" % (name, escape(desc))]
    lines = src.split("\n")
    i, in_section, list_depth = 0, False, 0

    def close_lists():
        nonlocal list_depth
        while list_depth > 1:
            out.append(".RE")
            list_depth -= 1
        list_depth = 0

    def need_section():
        nonlocal in_section
        if not in_section:
            out.append(".SH DESCRIPTION")
            in_section = True

    while i < len(lines):
        line = lines[i]
        if re.match(r"^\s*<!--.*-->\s*$", line) or not line.strip():
            i += 1
            continue
        m = re.match(r"^(#+)\s+(.*)$", line)
        if m:
            close_lists()
            level, title = len(m.group(1)), m.group(2).strip()
            if level == 1:
                pass
            elif level == 2:
                out.append(".SH " + SECTION_NAMES.get(title.lower(), inline(title).upper()))
                in_section = True
            else:
                need_section()
                out.append(".SS " + inline(title))
            i += 1
            continue
        need_section()
        if line.lstrip().startswith("```"):
            close_lists()
            indent = len(line) - len(line.lstrip())
            i += 1
            block = []
            while i < len(lines) and not lines[i].lstrip().startswith("```"):
                block.append(lines[i][indent:] if lines[i][:indent].strip() == "" else lines[i])
                i += 1
            i += 1
            code_block(block, out)
            continue
        if line.lstrip().startswith("|"):
            close_lists()
            rows = []
            while i < len(lines) and lines[i].lstrip().startswith("|"):
                rows.append(lines[i])
                i += 1
            table(rows, out)
            continue
        m = LIST_ITEM.match(line)
        if m:
            depth = len(m.group(1)) // 2 + 1
            if list_depth == 0:
                list_depth = 1
            while depth > list_depth:
                out.append(".RS 4")
                list_depth += 1
            while depth < list_depth:
                out.append(".RE")
                list_depth -= 1
            marker = "\\(bu" if m.group(2) in "-*" else m.group(2)
            item = [m.group(3)]
            i += 1
            while i < len(lines) and lines[i].strip() and not LIST_ITEM.match(lines[i]) \
                    and not lines[i].lstrip().startswith(("```", "|", "#")):
                item.append(lines[i])
                i += 1
            out.append(".IP %s 4" % marker)
            out.append(fill(item))
            continue
        close_lists()
        para = []
        while i < len(lines) and lines[i].strip() and not LIST_ITEM.match(lines[i]) \
                and not lines[i].lstrip().startswith(("```", "|", "#", "<!--")):
            para.append(lines[i])
            i += 1
        out.append(".PP")
        out.append(fill(para))
    close_lists()
    return "\n".join(out) + "\n"


def main():
    if len(sys.argv) != 7:
        sys.exit(__doc__.split("\n\n")[1])
    src, dst, name, section, version, desc = sys.argv[1:]
    with open(src, encoding="utf-8") as f:
        page = convert(f.read(), name, section, version, desc)
    with open(dst, "w", encoding="ascii") as f:
        f.write(page)


if __name__ == "__main__":
    main()
