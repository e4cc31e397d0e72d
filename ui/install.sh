#!/usr/bin/env bash
# install.sh installs the dashboard's npm packages exactly as package-lock.json
# pins them, and does nothing when node_modules is already up to date.
#
# `npm ci` is tried first. Some registry mirrors lack the packuments of a few
# optional platform packages (rollup/esbuild binaries for other systems); the
# lockfile then has no entries for them and `npm ci` refuses it. In that case
# the same pinned tree is installed with `npm install --no-save`, which honours
# the lockfile and leaves it untouched.
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
