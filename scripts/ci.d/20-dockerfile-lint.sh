#!/usr/bin/env bash
# Lint the Dockerfile (no Docker engine runs here): dockerfile-utils (npm,
# pinned) checks the syntax and instructions, then the image's promises are
# checked: multi-stage node -> go -> minimal runtime, non-root user, /data
# volume, ports 80/443/8080, a HEALTHCHECK that uses the binary itself.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
df="$root/Dockerfile"

echo "dockerfile-utils lint"
work="$(mktemp -d "${TMPDIR:-/tmp}/syn-dockerlint.XXXXXX")"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npx --yes dockerfile-utils@0.16.3 lint "$df" </dev/null)

fail=0
need() { # need REGEX DESCRIPTION
	if ! grep -Eq "$1" "$df"; then
		echo "Dockerfile: missing $2" >&2
		fail=1
	fi
}
need '^FROM node:20[^ ]* AS ui' 'the node:20 UI stage'
need '^FROM golang:1\.26[^ ]* AS build' 'the golang:1.26 build stage'
need '^FROM gcr\.io/distroless/static' 'the distroless runtime stage'
need '^USER [^0r]' 'a non-root USER'
need '^VOLUME \["/data"\]' 'VOLUME /data'
need '^EXPOSE 80 443 8080$' 'EXPOSE 80 443 8080'
need 'CMD \["/synchronizer", "healthcheck"\]' 'HEALTHCHECK via synchronizer healthcheck'
need '"--listen", "0\.0\.0\.0:8080", "--data", "/data"' 'serve --listen 0.0.0.0:8080 --data /data'
[ "$fail" -eq 0 ] && echo "Dockerfile: ok"
exit "$fail"
