#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Configuration without scripts/kconfig: the bool symbols declared in Kconfig, their defaults and
# "depends on" lines, applied to .config the way olddefconfig would.
#
#   mkconfig.sh KCONFIG defaults CONFIG        write CONFIG with every symbol at its default
#   mkconfig.sh KCONFIG allno CONFIG           write CONFIG with every optional symbol off
#   mkconfig.sh KCONFIG normalize CONFIG       rewrite CONFIG: last assignment wins, unknown
#                                              symbols dropped, defaults and dependencies applied
#   mkconfig.sh KCONFIG sync CONFIG AUTOCONF_H AUTO_CONF
#                                              write the C header and the make fragment (the header
#                                              only when it changes)
set -eu

kconfig=$1
mode=$2
config=$3

resolve() {
	# $1: "defaults" | "allno" | "config"; prints NAME=y|n for every declared symbol, in order.
	awk -v mode="$1" '
	FNR == NR {
		if ($1 == "config") { name = $2; order[++n] = name; kind[name] = "bool"; def[name] = "n"; deps[name] = "" }
		else if ($1 == "def_bool") { kind[name] = "fixed"; def[name] = $2 }
		else if ($1 == "bool") { kind[name] = "bool" }
		else if ($1 == "default") { def[name] = $2 }
		else if ($1 == "depends" && $2 == "on") {
			line = $0; sub(/^[ \t]*depends[ \t]+on[ \t]+/, "", line)
			deps[name] = deps[name] " " line
		}
		next
	}
	mode == "config" {
		if (match($0, /^CONFIG_[A-Za-z0-9_]+=/)) {
			sym = substr($0, 8, RLENGTH - 8); val = substr($0, RLENGTH + 1)
			user[sym] = (val == "y") ? "y" : "n"
		} else if (match($0, /^# CONFIG_[A-Za-z0-9_]+ is not set/)) {
			sym = $2; sub(/^CONFIG_/, "", sym); user[sym] = "n"
		}
	}
	END {
		for (i = 1; i <= n; i++) {
			s = order[i]
			if (kind[s] == "fixed") v = def[s]
			else if (mode == "allno") v = "n"
			else if (s in user) v = user[s]
			else v = def[s]
			# Dependencies: a list of symbols joined by &&, each possibly negated with !.
			d = deps[s]; gsub(/&&/, " ", d); m = split(d, parts, /[ \t]+/)
			for (j = 1; j <= m; j++) {
				p = parts[j]; if (p == "") continue
				want = "y"; if (substr(p, 1, 1) == "!") { want = "n"; p = substr(p, 2) }
				if (!(p in value) || value[p] != want) v = "n"
			}
			value[s] = v
			print s "=" v
		}
	}' "$kconfig" "${2:-/dev/null}"
}

write_config() {
	# stdin: NAME=y|n lines; writes .config in Linux's format.
	{
		echo "#"
		echo "# Automatically generated file; DO NOT EDIT."
		echo "# Entrybench demo/x86_64 6.12.0-demo Kernel Configuration"
		echo "#"
		while IFS='=' read -r name value; do
			if [ "$value" = y ]; then echo "CONFIG_$name=y"; else echo "# CONFIG_$name is not set"; fi
		done
	} > "$1.tmp"
	if [ -f "$1" ] && ! cmp -s "$1" "$1.tmp"; then cp "$1" "$1.old"; fi
	mv -f "$1.tmp" "$1"
	echo "#"
	echo "# configuration written to .config"
	echo "#"
}

case "$mode" in
defaults)
	resolve defaults | write_config "$config"
	;;
allno)
	resolve allno | write_config "$config"
	;;
normalize)
	# A copy first: write_config replaces the file that resolve is reading.
	cp "$config" "$config.in"
	resolve config "$config.in" | write_config "$config"
	rm -f "$config.in"
	;;
sync)
	header=$4
	autoconf=$5
	mkdir -p "$(dirname "$header")" "$(dirname "$autoconf")"
	values=$(resolve config "$config")
	{
		echo "/* Automatically generated from .config; DO NOT EDIT. */"
		echo "$values" | while IFS='=' read -r name value; do
			if [ "$value" = y ]; then echo "#define CONFIG_$name 1"; fi
		done
	} > "$header.tmp"
	if cmp -s "$header" "$header.tmp"; then rm -f "$header.tmp"; else mv -f "$header.tmp" "$header"; fi
	echo "$values" | while IFS='=' read -r name value; do
		if [ "$value" = y ]; then echo "CONFIG_$name=y"; fi
	done > "$autoconf"
	;;
*)
	echo "mkconfig.sh: unknown mode '$mode'" >&2
	exit 2
	;;
esac
