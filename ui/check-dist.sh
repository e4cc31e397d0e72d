#!/usr/bin/env bash
# check-dist.sh rebuilds the dashboard from a clean install and fails when the
# committed ui/dist differs from the build (stale, hand-edited or missing files).
# Run from anywhere: bash ui/check-dist.sh
set -euo pipefail
cd "$(dirname "$0")"

# install.sh installs exactly what package-lock.json pins (npm ci, or its fallback).
bash ./install.sh

echo "check-dist: npm run codegen"
npm run --silent codegen >/dev/null
echo "check-dist: npm run build"
npm run --silent build >/dev/null

status=0
if ! git diff --exit-code --stat -- src/gql dist; then
  echo "check-dist: FAIL: the committed generated types or ui/dist differ from a fresh build." >&2
  status=1
fi
untracked=$(git ls-files --others --exclude-standard -- src/gql dist)
if [ -n "$untracked" ]; then
  echo "check-dist: FAIL: the fresh build has files that are not committed:" >&2
  echo "$untracked" >&2
  status=1
fi
if [ "$status" -ne 0 ]; then
  echo "check-dist: run 'cd ui && npm ci && npm run codegen && npm run build' and commit ui/src/gql and ui/dist." >&2
  exit 1
fi
echo "check-dist: ok (ui/dist and ui/src/gql match a fresh build)"
