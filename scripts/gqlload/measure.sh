#!/usr/bin/env bash
# measure.sh takes the figures of docs/perf/main.md on this machine:
# binary size, time from start to ready (fresh store and restart), idle RSS
# after 30 s, and GraphQL latency of `me` (bearer token) and `systemStatus`
# with 200 clients for 10 s on loopback. The server runs on a free loopback
# port with a temporary data directory and is stopped by its PID.
#
#   bash scripts/gqlload/measure.sh [CLIENTS] [DURATION]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
clients="${1:-200}"
duration="${2:-10s}"
work="$(mktemp -d "${TMPDIR:-/tmp}/syn-measure.XXXXXX")"
pid=""
cleanup() {
	if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT
cd "$root"

go build -trimpath -ldflags="-s -w" -o "$work/synchronizer" .
go build -o "$work/gqlload" ./scripts/gqlload
echo "binary size (-trimpath -s -w): $(stat -c %s "$work/synchronizer") bytes ($(du -h "$work/synchronizer" | cut -f1))"

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
base="http://127.0.0.1:$port"

# start_server [ENV=VALUE...]: starts the server; sets pid and ready_ms (time
# until /readyz answers 200).
ready_ms=""
start_server() {
	local t0 t1
	t0=$(date +%s%N)
	env "$@" "$work/synchronizer" serve --listen "127.0.0.1:$port" --data "$work/data" --log-level warn \
		>"$work/stdout.log" 2>>"$work/server.log" &
	pid=$!
	until curl -fs -o /dev/null "$base/readyz"; do
		kill -0 "$pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
		sleep 0.005
	done
	t1=$(date +%s%N)
	ready_ms=$(((t1 - t0) / 1000000))
}
stop_server() {
	kill "$pid"
	wait "$pid" || true
	pid=""
}

start_server
echo "ready, fresh data directory: $ready_ms ms"
stop_server
email="perf@example.com"
password="perf-password-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
start_server SYNCHRONIZER_ADMIN_EMAIL="$email" SYNCHRONIZER_ADMIN_PASSWORD="$password"
echo "ready, restart of the same store with the bootstrap admin (one argon2id hash): $ready_ms ms"
stop_server
for i in 1 2 3; do
	start_server
	echo "ready, restart of the same store (run $i): $ready_ms ms"
	[ "$i" -eq 3 ] || stop_server
done

sleep 30
echo "idle RSS after 30 s: $(awk '/^VmRSS/ {print $2, $3}' "/proc/$pid/status")"

# Sign in, then create an API token with the session (CSRF header required).
login="$(curl -fs -c "$work/cookies" -H 'Content-Type: application/json' "$base/graphql" \
	--data "{\"query\":\"mutation { login(email: \\\"$email\\\", password: \\\"$password\\\") { csrfToken } }\"}")"
csrf="$(printf '%s' "$login" | sed -n 's/.*"csrfToken":"\([^"]*\)".*/\1/p')"
created="$(curl -fs -b "$work/cookies" -H 'Content-Type: application/json' -H "X-CSRF-Token: $csrf" "$base/graphql" \
	--data '{"query":"mutation { createApiToken(name: \"perf\") { secret } }"}')"
token="$(printf '%s' "$created" | sed -n 's/.*"secret":"\([^"]*\)".*/\1/p')"
[ -n "$token" ] || { echo "could not create an API token: $login $created" >&2; exit 1; }

echo "--- me (bearer token), $clients clients, $duration"
"$work/gqlload" -url "$base/graphql" -c "$clients" -d "$duration" -query me -token "$token"
echo "--- systemStatus (anonymous), $clients clients, $duration"
"$work/gqlload" -url "$base/graphql" -c "$clients" -d "$duration" -query systemStatus
for rate in 10 25 50; do
	echo "--- me (bearer token), $clients clients paced at $rate req/s each, $duration (latency from the scheduled time)"
	"$work/gqlload" -url "$base/graphql" -c "$clients" -d "$duration" -query me -token "$token" -rate "$rate"
done
echo "--- me (bearer token), 10 clients, $duration (service time with little queueing)"
"$work/gqlload" -url "$base/graphql" -c 10 -d "$duration" -query me -token "$token"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "RSS after load: $(awk '/^VmRSS/ {print $2, $3}' "/proc/$pid/status")"
stop_server
