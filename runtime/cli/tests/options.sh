#!/bin/sh
# options.sh TOOL CASES GOLDEN: run TOOL (uxdp or uxdpd) with each line of
# CASES as its arguments (shell words) and compare what it printed and its
# exit status with GOLDEN, to the byte: the command line and messages of
# both tools are pinned (they share their option parsing, tool_opts.c).
# Every case must end in option parsing (usage errors, -h, --version):
# nothing is run.  UPDATE=1 rewrites GOLDEN (from the tools as they were
# before a change to their options, never to make a test pass).
tool=$1 cases=$2 golden=$3
name=$(basename "$tool")
out=$(mktemp)
trap 'rm -f "$out" "$out.one"' EXIT
while IFS= read -r line; do
	case $line in ''|'#'*) continue ;; esac
	echo "\$ $name $line" >>"$out"
	eval "set -- $line"
	env -u AOT_OBJECT "$tool" "$@" >"$out.one" 2>&1 </dev/null
	rc=$?
	# --version's number moves with every commit.
	sed "s/^$name [0-9][^ ]*\$/$name VERSION/" "$out.one" >>"$out"
	echo "[exit $rc]" >>"$out"
done <"$cases"
if [ -n "$UPDATE" ]; then
	cp "$out" "$golden"
	exit 0
fi
diff -u "$golden" "$out" && echo "options.sh: $name: ok"
