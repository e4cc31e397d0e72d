#!/usr/bin/env bash
# demo-first-runs.sh takes the figures of docs/perf/demo.md on this machine: it starts the real binary in demo mode
# (`serve --demo`, bootstrap admin, a temporary data directory, a free loopback port) RUNS times and reports, from
# the start of the process, when /readyz answered, when the portal invitation line was printed, when every demo
# user had a successful run (what the users grid shows as "In sync"), and when all first runs (5 users × 4 kinds)
# had completed — read over the GraphQL API as the dashboard reads them, polled every 100 ms. Each server is
# stopped by its PID.
#
#   bash scripts/demo-first-runs.sh [RUNS]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-3}"
work="$(mktemp -d "${TMPDIR:-/tmp}/syn-demo-first-runs.XXXXXX")"
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
command -v jq >/dev/null || { echo "demo-first-runs: needs jq" >&2; exit 1; }

go build -o "$work/synchronizer" .
email="perf@example.com"
password="perf-password-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }

for run in $(seq 1 "$runs"); do
	port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
	base="http://127.0.0.1:$port"
	rm -rf "$work/data" "$work/jar"
	t0=$(date +%s%N)
	SYNCHRONIZER_ADMIN_EMAIL="$email" SYNCHRONIZER_ADMIN_PASSWORD="$password" \
		"$work/synchronizer" serve --demo --listen "127.0.0.1:$port" --data "$work/data" --log-level warn \
		>"$work/stdout.log" 2>"$work/server.log" &
	pid=$!
	until curl -fs -o /dev/null "$base/readyz"; do
		kill -0 "$pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
		sleep 0.01
	done
	ready=$(ms_since "$t0")
	until grep -q '^Demo: open .*/invite/' "$work/stdout.log"; do
		kill -0 "$pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
		sleep 0.01
	done
	invite=$(ms_since "$t0")
	login=$(jq -cn --arg e "$email" --arg p "$password" \
		'{query: "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { csrfToken } }", variables: {e: $e, p: $p}}')
	csrf=$(curl -fs -c "$work/jar" -H 'Content-Type: application/json' -d "$login" "$base/graphql" | jq -r '.data.login.csrfToken')
	q='{"query":"{ syncRuns(profileId: \"demo\", first: 200) { status kind userId } }"}'
	users_ok="" all_ok="" deadline=$(($(date +%s) + 120))
	while [[ -z "$all_ok" ]]; do
		body=$(curl -fs -b "$work/jar" -H 'Content-Type: application/json' -H "X-CSRF-Token: $csrf" -d "$q" "$base/graphql")
		users=$(jq '[.data.syncRuns[] | select(.status == "OK") | .userId] | unique | length' <<<"$body")
		jobs=$(jq '[.data.syncRuns[] | select(.status == "OK") | .userId + "/" + .kind] | unique | length' <<<"$body")
		if [[ -z "$users_ok" && "$users" -ge 5 ]]; then users_ok=$(ms_since "$t0"); fi
		if [[ "$jobs" -ge 20 ]]; then all_ok=$(ms_since "$t0"); fi
		if (($(date +%s) > deadline)); then
			echo "run $run: only $jobs of 20 first runs completed within 120 s" >&2
			cat "$work/server.log" >&2
			exit 1
		fi
		sleep 0.1
	done
	echo "run $run: ready ${ready} ms, invitation printed ${invite} ms, every user in sync ${users_ok} ms, all 20 first runs ${all_ok} ms"
	kill "$pid"
	wait "$pid" || true
	pid=""
done
