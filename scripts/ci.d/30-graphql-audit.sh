#!/usr/bin/env bash
# GraphQL-over-HTTP compliance: start the real binary on a free loopback
# port with a fresh store and a bootstrap admin, run graphql-http's
# auditServer against /graphql (scripts/gql-audit/audit.mjs) and fail on
# any MUST failure. The server is stopped by its PID on every exit path.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
audit_dir="$root/scripts/gql-audit"
work="$(mktemp -d "${TMPDIR:-/tmp}/syn-gql-audit.XXXXXX")"
pid=""

cleanup() {
	if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
		kill "$pid" 2>/dev/null || true
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

echo "== graphql audit: npm ci"
(cd "$audit_dir" && npm ci --no-audit --no-fund --loglevel=error)

echo "== graphql audit: build"
(cd "$root" && go build -o "$work/synchronizer" .)

# A free loopback port: bind :0, read the port, release it.
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()' 2>/dev/null \
	|| node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
base="http://127.0.0.1:$port"

admin_email="audit@example.com"
admin_password="audit-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"

echo "== graphql audit: serve on $base"
SYNCHRONIZER_ADMIN_EMAIL="$admin_email" SYNCHRONIZER_ADMIN_PASSWORD="$admin_password" \
	"$work/synchronizer" serve --listen "127.0.0.1:$port" --data "$work/data" >"$work/server.log" 2>&1 &
pid=$!

for _ in $(seq 100); do
	if curl -fsS "$base/healthz" >/dev/null 2>&1; then break; fi
	if ! kill -0 "$pid" 2>/dev/null; then
		echo "the server exited early:" >&2
		cat "$work/server.log" >&2
		exit 1
	fi
	sleep 0.1
done
curl -fsS "$base/healthz" >/dev/null || { echo "the server did not become healthy:" >&2; cat "$work/server.log" >&2; exit 1; }

echo "== graphql audit: $base/graphql"
status=0
GQL_AUDIT_EMAIL="$admin_email" GQL_AUDIT_PASSWORD="$admin_password" \
	node "$audit_dir/audit.mjs" "$base/graphql" --json "$work/audit.json" || status=$?
if [[ $status -ne 0 ]]; then
	echo "graphql audit failed (exit $status); server log:" >&2
	tail -n 50 "$work/server.log" >&2
fi
exit "$status"
