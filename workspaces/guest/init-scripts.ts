// The scripts inside the guest's initramfs: /init, busybox init's inittab, the selftest runner
// (kselftest TAP on ttyS1), the window-size listener on ttyS2, and the shell's profile.
//
// Serial ports, as QEMU wires them (workspaces/guest/qemu.ts):
//   ttyS0  the console: kernel messages, the runner's one line per test, the interactive shell
//   ttyS1  kselftest TAP only, read by the host
//   ttyS2  control from the host: "size COLS ROWS" (a serial line carries no window size)
//
// busybox init runs the pieces so that each gets the console as its controlling terminal: Ctrl-C
// then reaches the foreground program (the runner skips the test it interrupts), and
// poweroff/reboot/halt work as on any machine. "reboot: Power down" tells the host to end QEMU.

/** Printed on the console by the guest; the host keys its milestones on these prefixes. */
export const GUEST_MARKERS = {
  banner: 'entrybench-init: up at ',
  running: 'entrybench-init: running ',
  summary: 'entrybench-init: selftests done',
  skipped: 'entrybench-init: selftests not run',
  /** The shell prompt (PS1) ends with this, after the working directory. */
  promptPrefix: 'guest:',
  promptSuffix: '# ',
} as const;

/** TAP comment lines of our own, next to kselftest's. */
export const TAP_MARKERS = {
  testStart: '# selftests: x86: ',
  testEnd: '# entrybench: ',
  summary: '# entrybench-summary: ',
} as const;

export const INIT = `#!/bin/sh
# Entrybench guest /init: mount the kernel file systems, say we are up, hand over to busybox init.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts 2>/dev/null
hostname guest
read up _ < /proc/uptime
count=$(wc -l < /etc/entrybench/tests)
echo "${GUEST_MARKERS.banner}\${up} s: Linux $(uname -r) $(uname -m), $count selftest programs ($(cat /etc/entrybench/bits))"
exec /sbin/init
`;

export const INITTAB = `# busybox init: control listener, then the selftests on the console, then a shell there, forever.
::sysinit:/bin/sh /etc/entrybench/ctl-start
ttyS0::wait:/bin/sh /etc/entrybench/selftests
ttyS0::respawn:-/bin/sh
::ctrlaltdel:/sbin/reboot
::shutdown:/bin/sync
`;

export const CTL_START = `#!/bin/sh
# Start the window-size listener in the background when the host wired a control port.
[ -e /dev/ttyS2 ] && /bin/sh /etc/entrybench/ctl </dev/null >/dev/null 2>&1 &
exit 0
`;

export const CTL = `#!/bin/sh
# "size COLS ROWS" from the host on ttyS2 becomes the console's window size; the kernel then
# sends SIGWINCH to whatever runs in the foreground there. Holding ttyS0 open keeps that size
# while busybox init closes and reopens the console between the selftests and the shell.
# ttyS2 stays open from before "ready" on, so an answer sent at once is not lost.
exec 9</dev/ttyS0
exec 3<>/dev/ttyS2
stty raw -echo <&3 2>/dev/null
echo ready >&3
while read -r cmd a b <&3; do
  case "$cmd" in
    size) stty -F /dev/ttyS0 cols "$a" rows "$b" 2>/dev/null ;;
  esac
done
`;

export const SELFTESTS = `#!/bin/sh
# Run the x86 selftests one at a time, each under a timeout: kselftest TAP on ttyS1, one line per
# test and a summary on the console. Ctrl-C skips the test that is running.
selftests=1; timeout=60; only=
for arg in $(cat /proc/cmdline); do
  case "$arg" in
    eb.selftests=*) selftests=\${arg#*=} ;;
    eb.timeout=*) timeout=\${arg#*=} ;;
    eb.only=*) only=\${arg#*=} ;;
  esac
done
if [ "$selftests" != 1 ]; then
  echo "${GUEST_MARKERS.skipped} (eb.selftests=$selftests)"
  exit 0
fi

# centiseconds since boot, from /proc/uptime ("12.34"); "1\${frac} - 100" avoids octal
cs() { read u _ < /proc/uptime; echo $(( \${u%.*} * 100 + 1\${u#*.} - 100 )); }
secs() { printf '%d.%02d' $(( $1 / 100 )) $(( $1 % 100 )); }

tap=/dev/ttyS1
[ -e $tap ] || tap=/dev/null
stty -F $tap raw -echo 2>/dev/null
exec 3>$tap

if [ -n "$only" ]; then tests=$(echo "$only" | tr ',' ' '); else tests=$(cat /etc/entrybench/tests); fi
n=0
for t in $tests; do n=$((n + 1)); done

echo "TAP version 13" >&3
echo "1..$n" >&3
echo "${GUEST_MARKERS.running}$n selftests, $timeout s timeout each (Ctrl-C skips the one running)"

interrupted=0
trap 'interrupted=1' INT
pass=0; fail=0; skip=0; tmo=0; intr=0; i=0
start=$(cs)
for t in $tests; do
  i=$((i + 1))
  printf '[%2d/%d] %s ... ' $i $n "$t"
  echo "${TAP_MARKERS.testStart}$t" >&3
  s=$(cs)
  if [ -x "/selftests/$t" ]; then
    timeout -s KILL "$timeout" "/selftests/$t" </dev/null >/tmp/eb-out 2>&1
    rc=$?
  else
    echo "no selftest program named $t in this image" >/tmp/eb-out
    rc=127
  fi
  e=$(cs)
  awk '{ print "# " $0 }' /tmp/eb-out >&3
  took=$(secs $((e - s)))
  echo "${TAP_MARKERS.testEnd}$t exit=$rc seconds=$took" >&3
  # A killed program exits 137 either way; the clock tells a timeout from an oops or a crash.
  if [ "$interrupted" = 1 ] || [ "$rc" = 130 ]; then
    result=interrupted; intr=$((intr + 1)); echo "ok $i selftests: x86: $t # SKIP interrupted (Ctrl-C)" >&3
  elif [ "$rc" = 0 ]; then
    result=ok; pass=$((pass + 1)); echo "ok $i selftests: x86: $t" >&3
  elif [ "$rc" = 4 ]; then
    result=skip; skip=$((skip + 1)); echo "ok $i selftests: x86: $t # SKIP" >&3
  elif [ "$rc" = 137 ] && [ $((e - s)) -ge $((timeout * 100 - 50)) ]; then
    result=timeout; tmo=$((tmo + 1)); echo "not ok $i selftests: x86: $t # TIMEOUT $timeout seconds" >&3
  else
    result="FAIL (exit $rc)"; fail=$((fail + 1)); echo "not ok $i selftests: x86: $t # exit=$rc" >&3
  fi
  interrupted=0
  echo "$result ($took s)"
done
total=$(secs $(( $(cs) - start )))
echo "${TAP_MARKERS.summary}pass:$pass fail:$fail skip:$skip timeout:$tmo interrupted:$intr seconds:$total" >&3
echo "${GUEST_MARKERS.summary} in $total s: $pass pass, $fail fail, $skip skip, $tmo timeout, $intr interrupted"
`;

export const PROFILE = `# Login shell of the Entrybench guest.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
export HOME=/root
export TERM=xterm-256color
export PS1='${GUEST_MARKERS.promptPrefix}\\w${GUEST_MARKERS.promptSuffix}'
cd /root 2>/dev/null
echo "Entrybench guest shell. The selftests are in /selftests; the last one's output is in /tmp/eb-out."
echo "poweroff ends the guest; reboot restarts it."
`;

/** Every script with its path in the image and mode. */
export function initFiles(): { path: string; text: string; mode: number }[] {
  return [
    { path: 'init', text: INIT, mode: 0o755 },
    { path: 'etc/inittab', text: INITTAB, mode: 0o644 },
    { path: 'etc/profile', text: PROFILE, mode: 0o644 },
    { path: 'etc/entrybench/ctl-start', text: CTL_START, mode: 0o755 },
    { path: 'etc/entrybench/ctl', text: CTL, mode: 0o755 },
    { path: 'etc/entrybench/selftests', text: SELFTESTS, mode: 0o755 },
  ];
}
