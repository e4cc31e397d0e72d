#!/usr/bin/env bash
# install.sh installs the dashboard's npm packages exactly as package-lock.json
# pins them, and does nothing when node_modules is already up to date.
#
# `npm ci` is tried first. The registry mirror this project is built with
# lacks rollup's optional binaries for other platforms, so `npm install` leaves
# them out of package-lock.json and `npm ci` then refuses the lockfile. The
# committed lockfile therefore lists those 24 @rollup/rollup-<os>-<cpu> entries
# by hand (version, os, cpu, libc, as npm writes them; no integrity, since the
# mirror cannot serve them; npm skips them on other platforms). If a later
# `npm install` drops them again, this script still works: it falls back to
# `npm install --no-save`, which installs the same pinned tree and leaves the
# lockfile untouched.
set -euo pipefail
cd "$(dirname "$0")"

if [ -f node_modules/.package-lock.json ] && [ node_modules/.package-lock.json -nt package-lock.json ] \
  && [ node_modules/.package-lock.json -nt package.json ]; then
  exit 0
fi
if npm ci --no-audit --no-fund --loglevel=error >/tmp/ui-npm-ci.$$.log 2>&1; then
  rm -f /tmp/ui-npm-ci.$$.log
  echo "ui/install.sh: npm ci done"
  exit 0
fi
if grep -q 'EUSAGE' /tmp/ui-npm-ci.$$.log; then
  echo "ui/install.sh: npm ci refused the lockfile (missing optional platform packages); installing the locked tree with npm install --no-save"
  rm -f /tmp/ui-npm-ci.$$.log
  npm install --no-save --no-audit --no-fund --loglevel=error
  if ! git diff --quiet -- package-lock.json 2>/dev/null; then
    echo "ui/install.sh: package-lock.json changed during install; it must not" >&2
    exit 1
  fi
  exit 0
fi
cat /tmp/ui-npm-ci.$$.log >&2
rm -f /tmp/ui-npm-ci.$$.log
echo "ui/install.sh: npm ci failed (see above)" >&2
exit 1
