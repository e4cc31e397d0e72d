#!/usr/bin/env bash
# bench-dav-mem.sh N [N…]: memory of one engine first sync Radicale → Radicale (docs/perf/dav.md, "First-sync
# memory"). For each N it starts a fresh Radicale on 127.0.0.1, writes collection A with N events into Radicale's
# storage folder (davbench seed -files) and B either empty or, with SEED_B=1, with the same N events (the first
# sync then lists both sides and links the pairs by UID), warms Radicale's cache and sync history, and runs one
# `davbench sync -memprofile` under /usr/bin/time -v. It prints wall time, peak RSS and davbench's peak Go heap
# (in use, and live after GC), and keeps the heap profile as $OUT/heap-N.pprof (OUT: default /tmp/dav-mem).
# XANDIKOS_B=1 makes B the (empty) default calendar of a fresh Xandikos instead: a first sync that creates N events,
# in minutes rather than the hour Radicale's O(N) PUTs take at 10,000.
# BENCH=path runs another davbench binary (a build of an older commit, for before/after figures).
# Radicale is stopped by its PID at the end.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PORT="${PORT:-5270}"
OUT="${OUT:-/tmp/dav-mem}"
mkdir -p "$OUT"
export PEERS_DIR="$(mktemp -d "${TMPDIR:-/tmp}/syn-dav-mem.XXXXXX")"
trap '"$root/scripts/peers/stop-all.sh"; rm -rf "$PEERS_DIR"' EXIT
trap 'exit 1' TERM INT
cd "$root"
bench="${BENCH:-}"
if [[ -z "$bench" ]]; then
	go build -o "$PEERS_DIR/davbench" ./engine/dav/cmd/davbench
	bench="$PEERS_DIR/davbench"
fi
echo "| events | B | wall (m:ss) | peak RSS | peak Go heap in use | peak live heap | counts |"
echo "|---|---|---|---|---|---|---|"
for N in "$@"; do
	base="$("$root/scripts/peers/start-radicale.sh" "$PORT")alice"
	coll="$PEERS_DIR/radicale-$PORT/data/collection-root/alice"
	"$bench" seed -files "$coll/m-a" -n "$N"
	if [[ "${SEED_B:-0}" == 1 ]]; then "$bench" seed -files "$coll/m-b" -n "$N"; else "$bench" seed -files "$coll/m-b" -n 0; fi
	for c in a b; do
		curl -s -o /dev/null -u alice:x -X PROPFIND -H 'Depth: 1' -H 'Content-Type: application/xml' \
			--data '<D:propfind xmlns:D="DAV:"><D:prop><D:getetag/></D:prop></D:propfind>' "$base/m-$c/"
		curl -s -o /dev/null -u alice:x -X PROPFIND -H 'Depth: 0' -H 'Content-Type: application/xml' \
			--data '<D:propfind xmlns:D="DAV:"><D:prop><D:sync-token/></D:prop></D:propfind>' "$base/m-$c/"
	done
	auth="http://alice:x@127.0.0.1:$PORT/alice"
	b="$auth/m-b/"
	if [[ "${XANDIKOS_B:-0}" == 1 ]]; then
		b="$("$root/scripts/peers/start-xandikos.sh" $((PORT + 1)))user/calendars/calendar/"
	fi
	/usr/bin/time -v "$bench" sync -a "$auth/m-a/" -b "$b" -state "$PEERS_DIR/state-$N" \
		-memprofile "$OUT/heap-$N.pprof" >"$OUT/out-$N" 2>"$OUT/time-$N" || { cat "$OUT/out-$N" "$OUT/time-$N"; exit 1; }
	wall=$(grep 'Elapsed (wall clock)' "$OUT/time-$N" | awk '{print $NF}')
	rss=$(grep 'Maximum resident set size' "$OUT/time-$N" | awk '{print $NF}')
	heap=$(grep '^heap:' "$OUT/out-$N" | sed -E 's/heap: peak in use ([0-9]+) MB, peak live after GC ([0-9]+) MB/\1 MB | \2 MB/')
	counts=$(grep -E '^run ' "$OUT/out-$N" | sed -E 's/.*counts \{(.*)\}/\1/' | tr -s ' ' | cut -c1-80)
	printf '| %s | %s | %s | %d MB | %s | %s |\n' "$N" "$([[ "${SEED_B:-0}" == 1 ]] && echo "same $N" || { [[ "${XANDIKOS_B:-0}" == 1 ]] && echo "empty (Xandikos)" || echo empty; })" \
		"$wall" $((rss / 1024)) "$heap" "$counts"
	"$root/scripts/peers/stop-all.sh"
	rm -rf "$PEERS_DIR/radicale-$PORT" "$PEERS_DIR/xandikos" "$PEERS_DIR/state-$N"
done
