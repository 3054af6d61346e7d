# bash completion for uxdp's tools: uxdpc, uxdp, uxdpctl, uxdp-difftest,
# uxdp-bench, uxdp-corpus, uxdp-as, uxdp-run.  Installed once per tool name under
# share/bash-completion/completions/, so bash-completion loads it for any of
# them; it works without bash-completion too (`source uxdp.bash`).
# SPDX-License-Identifier: MIT

# Files matching a glob pattern (e.g. '*.o'), plus directories to walk into.
_uxdp_files()
{
	local cur=$1 pat=$2 f
	local IFS=$'\n'
	compopt -o filenames 2>/dev/null
	COMPREPLY=()
	for f in $(compgen -f -- "$cur"); do
		if [[ -d $f ]]; then
			COMPREPLY+=("$f")
		elif [[ -z $pat || $f == $pat ]]; then
			COMPREPLY+=("$f")
		fi
	done
}

_uxdp_words()
{
	local IFS=$' \t\n'
	COMPREPLY=($(compgen -W "$1" -- "$2"))
}

# Instances that exist (uxdpctl instance list, or the /dev/shm names).
_uxdp_instances()
{
	local f
	if command -v uxdpctl >/dev/null 2>&1; then
		uxdpctl instance list 2>/dev/null
		return
	fi
	for f in /dev/shm/uxdp.* /dev/shm/uxdp-stats.*; do
		[[ -e $f ]] || continue
		f=${f#/dev/shm/uxdp.}
		f=${f#/dev/shm/uxdp-stats.}
		[[ $f == *.* ]] || echo "$f"
	done | sort -u
}

_uxdp_ifaces()
{
	ls /sys/class/net 2>/dev/null
}

_uxdpc()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} w obj=
	case $prev in
	-o | --output | --helpers-bc) _uxdp_files "$cur" ''; return ;;
	--verify) _uxdp_words "auto kernel none" "$cur"; return ;;
	-p | --program)
		for w in "${COMP_WORDS[@]:1}"; do
			[[ $w == *.o ]] && obj=$w
		done
		[[ -n $obj ]] && _uxdp_words "$(uxdpc --list "$obj" 2>/dev/null |
			awk '$1 == "program" { print $2 }')" "$cur"
		return ;;
	--mcpu | --mattr | --target) return ;;
	esac
	if [[ $cur == -* ]]; then
		_uxdp_words "-O0 -O1 -O2 -O3 -o --output -p --program --emit-llvm -S --asm --list
			--raw --xdp --mcpu --mattr --target --verify --helpers-bc --remarks
			--unsafe-no-bounds-checks -fno-map-inline -fno-helper-inline
			-fno-bounds-elim -fno-simd -fno-rodata-fold -fno-stack-scope -v --verbose -h --help
			--version" "$cur"
		return
	fi
	_uxdp_files "$cur" '*.o'
}

_uxdp()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} w
	for w in "${COMP_WORDS[@]:1:COMP_CWORD-1}"; do
		[[ $w == -- ]] && return # DPDK EAL arguments
	done
	case $prev in
	--object) _uxdp_files "$cur" '*.o'; return ;;
	--pcap | --out | --pass-out) _uxdp_files "$cur" '*.pcap'; return ;;
	--config | --fib) _uxdp_files "$cur" ''; return ;;
	--instance) _uxdp_words "$(_uxdp_instances)" "$cur"; return ;;
	--afxdp) _uxdp_words "$(_uxdp_ifaces)" "$cur"; return ;;
	--frame-size) _uxdp_words "2048 4096" "$cur"; return ;;
	--group) COMPREPLY=($(compgen -g -- "$cur")); return ;;
	-p | --prog | --repeat | --ifindex | --queue | --queues | --frame-count | --pass-tap | --mbufs)
		return ;;
	esac
	_uxdp_words "--object --pcap --out --pass-out -p --prog --repeat --ifindex --queue
		--instance --fib --config --stats --afxdp --queues --copy --zero-copy --busy-poll
		--frame-size --frame-count --dpdk --mbufs --pass-tap --group -h --help --version" "$cur"
}

# The maps of the instance named on the line (--instance NAME), or "default".
_uxdpctl_maps()
{
	local inst=default i
	for ((i = 1; i < COMP_CWORD; i++)); do
		[[ ${COMP_WORDS[i]} == --instance ]] && inst=${COMP_WORDS[i+1]}
	done
	uxdpctl --instance "$inst" map list 2>/dev/null |
		awk '/^[0-9]+:/ { for (i = 1; i < NF; i++) if ($i == "name") print $(i+1) }'
}

_uxdpctl()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	local i cmd= sub= nargs=0
	case $prev in
	--instance) _uxdp_words "$(_uxdp_instances)" "$cur"; return ;;
	--pcap) _uxdp_files "$cur" '*.pcap'; return ;;
	esac
	# The command and subcommand, and how many words follow them.
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		--instance) ((i++)); continue ;;
		# global options may follow the command too (-p is prog's own under prog)
		-j | --json | --pretty | --instance=*) continue ;;
		-p) [[ $cmd != prog ]] && continue ;;
		-*) [[ -z $cmd ]] && continue ;;
		esac
		if [[ -z $cmd ]]; then
			cmd=${COMP_WORDS[i]}
		elif [[ -z $sub ]]; then
			sub=${COMP_WORDS[i]}
		else
			((nargs++))
		fi
	done
	if [[ -z $cmd ]]; then
		if [[ $cur == -* ]]; then
			_uxdp_words "--instance -j --json -p --pretty -h --help -V --version" "$cur"
		else
			_uxdp_words "map prog ringbuf perf xsk stats instance apply help" "$cur"
		fi
		return
	fi
	if [[ $cur == -* && $cmd != prog ]]; then
		_uxdp_words "-j --json -p --pretty --instance" "$cur"
		return
	fi
	case $cmd in
	map)
		if [[ -z $sub ]]; then
			_uxdp_words "list show dump lookup update delete getnext push pop peek
				cleanup help" "$cur"
		elif [[ $nargs -eq 0 && $sub != list && $sub != cleanup && $sub != help ]]; then
			_uxdp_words "$(_uxdpctl_maps) name id" "$cur"
		elif [[ $prev == key || $prev == value ]]; then
			_uxdp_words "hex u8 u16 u32 u64 be16 be32 be64 ipv4 ipv6 prefix mac zero map" "$cur"
		elif [[ $sub == update || $sub == lookup || $sub == delete || $sub == getnext ]]; then
			_uxdp_words "key value any exist noexist" "$cur"
		fi ;;
	ringbuf | perf)
		if [[ -z $sub ]]; then
			_uxdp_words "read" "$cur"
		elif [[ $nargs -eq 0 ]]; then
			_uxdp_words "$(_uxdpctl_maps)" "$cur"
		else
			_uxdp_words "--count --follow --timeout" "$cur"
		fi ;;
	xsk)
		if [[ -z $sub ]]; then
			_uxdp_words "read" "$cur"
		elif [[ $nargs -eq 0 ]]; then
			_uxdp_words "$(_uxdpctl_maps)" "$cur"
		elif [[ $nargs -ge 2 ]]; then
			_uxdp_words "--count --pcap" "$cur"
		fi ;;
	instance)
		if [[ -z $sub ]]; then
			_uxdp_words "list delete help" "$cur"
		elif [[ $sub == delete && $nargs -eq 0 ]]; then
			_uxdp_words "$(_uxdp_instances)" "$cur"
		fi ;;
	prog)
		if [[ -z $sub ]]; then
			_uxdp_words "show list load attach detach replace unload ports help" "$cur"
		elif [[ $sub == load && $nargs -eq 0 ]]; then
			_uxdp_files "$cur" '*.o'
		fi ;;
	apply) [[ -z $sub ]] && _uxdp_files "$cur" '' ;;
	esac
}

_uxdp_difftest()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	case $prev in
	--pcap) _uxdp_files "$cur" '*.pcap'; return ;;
	--aot) _uxdp_files "$cur" '*.o'; return ;;
	--config | --uxdpc) _uxdp_files "$cur" ''; return ;;
	--loader) _uxdp_words "auto libbpf kload" "$cur"; return ;;
	-p | --prog | --ifindex | --queue | --map-size) return ;;
	esac
	if [[ $cur == -* ]]; then
		_uxdp_words "--pcap --aot -O0 -O1 -O2 -O3 -p --prog --config --uxdpc --ifindex
			--queue --map-size --exact-maps --loader -v --verbose -h --help -V
			--version" "$cur"
		return
	fi
	_uxdp_files "$cur" '*.o'
}

_uxdp_bench()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	case $prev in
	--source) _uxdp_files "$cur" '*.c'; return ;;
	--pcap) _uxdp_files "$cur" '*.pcap'; return ;;
	--source-dir | --config | --json | --md | --png) _uxdp_files "$cur" ''; return ;;
	--levels) _uxdp_words "0,1,2,3 3 0,3" "$cur"; return ;;
	--kernel-method) _uxdp_words "fresh repeat" "$cur"; return ;;
	-p | --prog | --iterations | --rounds | --cpu | --kernel-calls | --per-op) return ;;
	esac
	if [[ $cur == -* ]]; then
		_uxdp_words "--source --source-dir --pcap -p --prog --config --levels --ablate
			--iterations --rounds --cpu --no-kernel --no-native --kernel-method
			--kernel-calls --per-op --smoke --callgrind --json --md --png -v --verbose
			-V --version -h --help" "$cur"
		return
	fi
	_uxdp_files "$cur" '*.o'
}

_uxdp_corpus()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	case $prev in
	-o | --output | -i | --input) _uxdp_files "$cur" '*.pcap'; return ;;
	-k | --kind)
		_uxdp_words "all valid malformed $(uxdp-corpus --list-kinds 2>/dev/null |
			awk '{ print $2 }')" "${cur##*,}"
		[[ $cur == *,* ]] && COMPREPLY=("${COMPREPLY[@]/#/${cur%,*},}")
		return ;;
	-n | --count | -s | --seed | -f | --flows) return ;;
	esac
	_uxdp_words "-n --count -s --seed -k --kind -f --flows -j --jumbo -P --prefixes -i
		--input -l --list-kinds -o --output -h --help -V --version" "$cur"
}

_uxdp_as()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	case $prev in
	-o | --output | --mem-out) _uxdp_files "$cur" ''; return ;;
	esac
	if [[ $cur == -* ]]; then
		_uxdp_words "-o --output --data --mem-out --print-result -h --help -V --version" "$cur"
		return
	fi
	_uxdp_files "$cur" ''
}

# uxdp-run [--instance NAME] CMD ARGS: after CMD, complete as CMD would.
_uxdp_run()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} i
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		--instance) i=$((i + 1)) ;;
		-*) ;;
		*)
			if declare -F _command_offset >/dev/null; then
				_command_offset "$i"
			fi
			return
			;;
		esac
	done
	case $prev in
	--instance) _uxdp_words "$(_uxdp_instances)" "$cur"; return ;;
	esac
	if [[ $cur == -* ]]; then
		_uxdp_words "--instance -h --help --version" "$cur"
		return
	fi
	local IFS=$'\n'
	COMPREPLY=($(compgen -c -- "$cur"))
}

complete -F _uxdpc uxdpc
complete -F _uxdp uxdp
complete -F _uxdpctl uxdpctl
complete -F _uxdp_difftest uxdp-difftest
complete -F _uxdp_bench uxdp-bench
complete -F _uxdp_corpus uxdp-corpus
complete -F _uxdp_as uxdp-as
complete -F _uxdp_run uxdp-run
