#!/usr/bin/env bash
# Installs what Entrybench needs on a fresh Debian machine: Debian packages (as root, via apt-get;
# otherwise prints the exact command), then the npm packages. Idempotent and quick when all is there.
#   scripts/setup.sh run    what `npm start` needs (QEMU, busybox, a C toolchain)
#   scripts/setup.sh test   everything the test suite needs (adds Chromium, a Linux tree, kernel build deps, b4)
set -euo pipefail
mode=${1:-test}
cd "$(dirname "$0")/.."

run_pkgs=(git gcc make binutils qemu-system-x86 busybox-static cpio gzip xz-utils)
test_pkgs=(chromium linux-source-6.12 flex bison bc libelf-dev libssl-dev ccache b4 xvfb gcc-multilib kmod perl python3 git-email libmailtools-perl)

case "$mode" in
  run) want=("${run_pkgs[@]}") ;;
  test) want=("${run_pkgs[@]}" "${test_pkgs[@]}") ;;
  *) echo "usage: scripts/setup.sh run|test" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "setup: installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: these Debian packages are missing: ${missing[*]}" >&2
    echo "setup: install them with:  sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    [ "$mode" = run ] || exit 1
  fi
fi

# npm packages: install when node_modules is missing or older than the lock file.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # Electron's binary comes from github.com; where that is unreachable, install the package without it
  # (npm start then says so and uses web mode).
  if ! curl -sSfI --max-time 5 https://github.com >/dev/null 2>&1; then
    echo "setup: github.com is unreachable, so the Electron binary cannot be downloaded; the desktop window will fall back to web mode"
    export ELECTRON_SKIP_BINARY_DOWNLOAD=1
  fi
  echo "setup: installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi

# The CLI bundle, so that `entrybench` starts without tsx (bin/entrybench.mjs runs the sources while
# it is missing or older than a source). Quick, and skipped when the bundle is up to date.
node bin/build-cli.mjs --if-stale --quiet || echo "setup: the CLI bundle did not build; entrybench runs from the sources (slower start)" >&2
