#!/usr/bin/env bash
# Install the Debian packages that the tests need where they are missing: as root, or through
# sudo when it needs no password. When that cannot be done, say exactly what to install; under
# CI=true that is a failure, elsewhere the tests that need a package skip and say so.
#
# Usage: scripts/system-packages.sh WHAT=PACKAGE ...
#   WHAT is a program looked up on PATH, or an absolute path (a pattern may match) that must exist:
#   scripts/system-packages.sh /usr/bin/chromium=chromium xgettext=gettext
set -uo pipefail

need=()
for pair in "$@"; do
  what=${pair%%=*}
  package=${pair#*=}
  if [[ $what == /* ]]; then
    compgen -G "$what" >/dev/null || need+=("$package")
  else
    command -v "$what" >/dev/null || need+=("$package")
  fi
done
[ ${#need[@]} -eq 0 ] && exit 0

give_up() {
  echo "missing Debian package(s): ${need[*]} ($1); install them with: sudo apt-get install ${need[*]}" >&2
  if [ "${CI:-}" = true ]; then exit 1; fi
  echo "going on without them: the tests that need them skip" >&2
  exit 0
}

if ! command -v apt-get >/dev/null; then give_up "no apt-get here"; fi
if [ "$(id -u)" = 0 ]; then
  as_root=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  give_up "not root, and no password-less sudo"
fi

echo "installing: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
# The package lists of a fresh machine may be empty or old: update them when a first try fails.
"${as_root[@]}" apt-get install -y -qq "${need[@]}" >/dev/null 2>&1 ||
  { "${as_root[@]}" apt-get update -qq && "${as_root[@]}" apt-get install -y -qq "${need[@]}" >/dev/null; } ||
  give_up "apt-get failed"
