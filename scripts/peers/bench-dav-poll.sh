#!/usr/bin/env bash
# bench-dav-poll.sh N: the connector-level part of docs/perf/dav.md for large collections. A fresh Radicale holds
# two identical collections of N events (A and B); vdirsyncer syncs them (its first sync downloads both sides and
# matches them), and davbench poll measures what one engine run does on each side before planning: a full
# listing with content (first sync) or a sync-collection poll (later runs), per side, in a fresh process.
# Then 100 updates + 50 deletes on A, and both tools list again. Radicale is stopped by its PID at the end.
set -euo pipefail
N="${1:-10000}"
PORT="${PORT:-5254}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export PEERS_DIR="$(mktemp -d "${TMPDIR:-/tmp}/syn-dav-poll.XXXXXX")"
trap '"$root/scripts/peers/stop-all.sh"; rm -rf "$PEERS_DIR"' EXIT
cd "$root"
go build -o "$PEERS_DIR/davbench" ./engine/dav/cmd/davbench
bench="$PEERS_DIR/davbench"
base="$("$root/scripts/peers/start-radicale.sh" "$PORT")alice"
auth="http://alice:x@127.0.0.1:$PORT/alice"
coll="$PEERS_DIR/radicale-$PORT/data/collection-root/alice"
for c in a b; do
	"$bench" seed -files "$coll/bench-$c" -n "$N"
	curl -s -o /dev/null -u alice:x -X PROPFIND -H 'Depth: 1' -H 'Content-Type: application/xml' \
		--data '<D:propfind xmlns:D="DAV:"><D:prop><D:getetag/></D:prop></D:propfind>' "$base/bench-$c/"
done
sed -e "s|@STATUS@|$PEERS_DIR/vds-status/|" -e "s|@A@|$base/bench-a/|" -e "s|@B@|$base/bench-b/|" \
	scripts/peers/vdirsyncer-bench.conf.in >"$PEERS_DIR/vds.conf"
/usr/bin/vdirsyncer -c "$PEERS_DIR/vds.conf" discover bench >/dev/null 2>&1
measure() {
	local label="$1"
	shift
	/usr/bin/time -v "$@" >"$PEERS_DIR/out" 2>"$PEERS_DIR/time" || { cat "$PEERS_DIR/out" "$PEERS_DIR/time"; exit 1; }
	printf '| %s | %s | %s | %d MB |\n' "$N" "$label" "$(grep 'Elapsed (wall clock)' "$PEERS_DIR/time" | awk '{print $NF}')" \
		$(($(grep 'Maximum resident set size' "$PEERS_DIR/time" | awk '{print $NF}') / 1024))
	cat "$PEERS_DIR/out" >&2
}
polls() { # label
	measure "synchronizer connector, A: $1" "$bench" poll -url "$auth/bench-a/" -cursor "$PEERS_DIR/cur-a"
	measure "synchronizer connector, B: $1" "$bench" poll -url "$auth/bench-b/" -cursor "$PEERS_DIR/cur-b"
}
echo "| events | run | wall (m:ss) | peak RSS |"
echo "|---|---|---|---|"
polls "full listing with content"
measure "vdirsyncer: first sync (both sides hold the same events)" /usr/bin/vdirsyncer -c "$PEERS_DIR/vds.conf" sync bench
polls "no-change poll"
measure "vdirsyncer: no-change resync" /usr/bin/vdirsyncer -c "$PEERS_DIR/vds.conf" sync bench
"$bench" modify -url "$auth/bench-a/" -updates 100 -deletes 50 >/dev/null
measure "synchronizer connector, A: poll after 100 updates + 50 deletes" "$bench" poll -url "$auth/bench-a/" -cursor "$PEERS_DIR/cur-a"
measure "vdirsyncer: resync after 100 updates + 50 deletes" /usr/bin/vdirsyncer -c "$PEERS_DIR/vds.conf" sync bench
