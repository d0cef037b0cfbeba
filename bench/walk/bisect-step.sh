#!/usr/bin/env bash
# The script the reference side of bench/walk.bench.ts hands to `git bisect run`: what a reviewer
# writes by hand. It builds the checked-out commit incrementally in one out-of-tree build directory
# (configured once: tinyconfig + the project's fragments, merged with the tree's merge_config.sh),
# boots the bzImage under QEMU TCG with a tiny initramfs whose /init checks the syscall ABI from user
# space, and exits 0 (good), 1 (bad) or 125 (cannot test: the build failed), as git bisect run wants.
#
# Environment: EB_BUILD (build directory), EB_INITRD (initramfs), EB_LOGS (per-step logs and
# steps.tsv), EB_JOBS (make -j), EB_FRAGMENTS (config fragments, space separated), EB_CC (compiler
# command, "ccache gcc" or "gcc"), EB_QEMU_CPU (-cpu model), EB_BOOT_TIMEOUT (seconds).
set -u
: "${EB_BUILD:?}" "${EB_INITRD:?}" "${EB_LOGS:?}" "${EB_JOBS:?}" "${EB_FRAGMENTS:?}"

src=$(pwd)
commit=$(git rev-parse --short=12 HEAD)
log="$EB_LOGS/$commit"
# The same environment and priority as entrybench's own builds (workspaces/build/kernel-build.ts).
export LC_ALL=C CCACHE_BASEDIR="$src" CCACHE_NOHASHDIR=true
kmake() { nice -n 10 make ARCH=x86_64 O="$EB_BUILD" "$@"; }
record() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$commit" "$1" "$t0" "$t1" "$t2" "$t3" "$2" "$3" >>"$EB_LOGS/steps.tsv"; }

t0=$EPOCHREALTIME
if [ ! -f "$EB_BUILD/.config" ]; then
	mkdir -p "$EB_BUILD"
	# shellcheck disable=SC2086 # EB_FRAGMENTS is a list of paths
	if ! { kmake tinyconfig && scripts/kconfig/merge_config.sh -m -O "$EB_BUILD" "$EB_BUILD/.config" $EB_FRAGMENTS && kmake olddefconfig; } >"$log.configure" 2>&1; then
		rm -f "$EB_BUILD/.config"
		exit 200 # not a verdict on this commit: stop the bisect
	fi
fi
t1=$EPOCHREALTIME
t2=$t1 t3=$t1
if ! kmake -j"$EB_JOBS" CC="${EB_CC:-gcc}" bzImage >"$log.build" 2>&1; then
	t2=$EPOCHREALTIME t3=$t2
	record skip '' "$(grep -m1 -E ': (fatal )?error: ' "$log.build")"
	exit 125
fi
t2=$EPOCHREALTIME

timeout "${EB_BOOT_TIMEOUT:-120}" qemu-system-x86_64 -nodefaults -no-user-config -accel tcg -cpu "${EB_QEMU_CPU:-max}" \
	-m 256 -smp 1 -nographic -serial stdio -no-reboot \
	-kernel "$EB_BUILD/arch/x86/boot/bzImage" -initrd "$EB_INITRD" \
	-append 'console=ttyS0 panic=-1 quiet' </dev/null >"$log.console" 2>&1
qemu=$?
t3=$EPOCHREALTIME

# Good only when /init said PASS; a FAIL line, a panic, a hang (timeout) or no output are all bad.
if grep -q '^EB-ENTRY-TEST: PASS' "$log.console"; then
	record good "$qemu" "$(grep -m1 '^EB-ENTRY-TEST: PASS' "$log.console")"
	exit 0
fi
why=$(grep -m1 -a -E '^EB-ENTRY-TEST: FAIL|Kernel panic|BUG:|general protection|segfault' "$log.console" | tr -d '\r')
[ -n "$why" ] || why="no verdict from /init (qemu exit $qemu$([ "$qemu" = 124 ] && echo ', timed out'))"
record bad "$qemu" "$why"
exit 1
