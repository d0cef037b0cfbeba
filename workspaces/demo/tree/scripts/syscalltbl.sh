#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Generate the syscall headers from arch/x86/entry/syscalls/syscall_64.tbl, as Linux does:
#   syscalltbl.sh table TBL    __SYSCALL(nr, entry) for every number up to the highest, with the
#                              unused ones pointing at sys_ni_syscall
#   syscalltbl.sh unistd TBL   __NR_name numbers for user space
set -eu
mode=$1
tbl=$2

entries() {
	grep -E '^[0-9]+[[:space:]]+(common|64)[[:space:]]' "$tbl" | sort -n
}

case "$mode" in
table)
	echo "/* Generated from syscall_64.tbl; DO NOT EDIT. */"
	entries | awk '
		{ entry[$1] = $4; if ($1 > max) max = $1 }
		END {
			for (nr = 0; nr <= max; nr++)
				printf "__SYSCALL(%d, %s)\n", nr, (nr in entry) ? entry[nr] : "sys_ni_syscall"
			printf "#define __NR_syscall_max %d\n", max
		}'
	;;
unistd)
	echo "/* Generated from syscall_64.tbl; DO NOT EDIT. */"
	echo "#ifndef _ASM_UNISTD_64_H"
	echo "#define _ASM_UNISTD_64_H"
	entries | awk '{ printf "#define __NR_%s %d\n", $3, $1 }'
	echo "#endif"
	;;
*)
	echo "syscalltbl.sh: unknown mode '$mode'" >&2
	exit 2
	;;
esac
