#!/usr/bin/env bash
# bench-dav.sh N: the side-by-side benchmark of docs/perf/dav.md. It starts a fresh Radicale on 127.0.0.1, seeds
# two identical pairs of collections with N events (A: N events, B: empty, or also N events with SEED_B=1), and
# syncs one pair with Synchronizer's engine (davbench sync, state in a fresh badger directory) and the other with
# vdirsyncer, alternating the tools run by run: first sync, no-change resync, second no-change resync, three
# no-change runs in one davbench process (the steady-state poll of a long-running server: runs 2 and 3, each
# timed on its own) against a third vdirsyncer resync, then 100 updates + 50 deletes on A and a resync. Wall time
# and peak RSS come from /usr/bin/time -v (for the in-process rows: the run's own time, and the last column holds
# its requests by method). Radicale is stopped by its PID at the end.
#
# ONLY_FIRST=1 stops after the first syncs.
# PARALLEL_FIRST=1 (for large N, where each first sync takes the better part of an hour): each tool gets its own
# Radicale (the same start-radicale.sh configuration, a second port) and the two first syncs run at the same time,
# each measured on its own; the later runs alternate as usual. Radicale serializes every write behind one
# storage-wide lock, so two tools on one Radicale would queue behind each other; two instances do not.
set -euo pipefail
N="${1:-2000}"
PORT="${PORT:-5250}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export PEERS_DIR="$(mktemp -d "${TMPDIR:-/tmp}/syn-dav-bench.XXXXXX")"
trap '"$root/scripts/peers/stop-all.sh"; rm -rf "$PEERS_DIR"' EXIT
trap 'exit 1' TERM INT

cd "$root"
go build -o "$PEERS_DIR/davbench" ./engine/dav/cmd/davbench
bench="$PEERS_DIR/davbench"
base="$("$root/scripts/peers/start-radicale.sh" "$PORT")alice"
auth="http://alice:x@127.0.0.1:$PORT/alice"
# vbase: the Radicale vdirsyncer's collections live on (the same one unless PARALLEL_FIRST=1).
vbase="$base"
vport="$PORT"
if [[ "${PARALLEL_FIRST:-0}" == 1 ]]; then
	vport=$((PORT + 1))
	vbase="$("$root/scripts/peers/start-radicale.sh" "$vport")alice"
fi

# Seed by writing Radicale's storage folder directly (uploading N events one by one would itself take longer than
# the runs measured), then list every collection once and read its sync token once, so Radicale's item cache and
# sync history are in the state uploads would have left them in, for both tools alike. (Without the token read,
# the first client that asks for a sync token pays Radicale writing a history entry for every seeded item: 7 s at
# 2,000 items on a quiet machine, once; vdirsyncer never asks for one.) The collections are warmed in parallel.
# SEED_B=1 also fills B with the same events: the first sync then lists both sides and links the items by UID.
for p in syn vds; do
	if [[ $p == syn ]]; then pb="$base" pp="$PORT"; else pb="$vbase" pp="$vport"; fi
	coll="$PEERS_DIR/radicale-$pp/data/collection-root/alice"
	"$bench" seed -files "$coll/$p-a" -n "$N"
	if [[ "${SEED_B:-0}" == 1 ]]; then
		"$bench" seed -files "$coll/$p-b" -n "$N"
	else
		"$bench" seed -files "$coll/$p-b" -n 0
	fi
	for c in a b; do
		(
			curl -s -o /dev/null -u alice:x -X PROPFIND -H 'Depth: 1' -H 'Content-Type: application/xml' \
				--data '<D:propfind xmlns:D="DAV:"><D:prop><D:getetag/></D:prop></D:propfind>' "$pb/$p-$c/"
			curl -s -o /dev/null -u alice:x -X PROPFIND -H 'Depth: 0' -H 'Content-Type: application/xml' \
				--data '<D:propfind xmlns:D="DAV:"><D:prop><D:sync-token/></D:prop></D:propfind>' "$pb/$p-$c/"
		) &
	done
done
wait
sed -e "s|@STATUS@|$PEERS_DIR/vds-status/|" -e "s|@A@|$vbase/vds-a/|" -e "s|@B@|$vbase/vds-b/|" \
	scripts/peers/vdirsyncer-bench.conf.in >"$PEERS_DIR/vds.conf"
/usr/bin/vdirsyncer -c "$PEERS_DIR/vds.conf" discover bench >/dev/null 2>&1

# radcpu PORT: CPU seconds (user + system) the Radicale on PORT has used so far.
radcpu() { awk '{printf "%.1f", ($14 + $15) / 100}' "/proc/$(cat "$PEERS_DIR/radicale-$1.pid")/stat"; }
measure() { # label command...   (OUT=name: write the command's output to $PEERS_DIR/OUT instead of out;
	#                              RADPORT: the Radicale whose CPU time the row reports)
	local label="$1" out="$PEERS_DIR/${OUT:-out}" c0 c1
	shift
	c0=$(radcpu "${RADPORT:-$PORT}")
	/usr/bin/time -v "$@" >"$out" 2>"$out.time" || { cat "$out" "$out.time"; exit 1; }
	c1=$(radcpu "${RADPORT:-$PORT}")
	local wall rss
	wall=$(grep 'Elapsed (wall clock)' "$out.time" | awk '{print $NF}')
	rss=$(grep 'Maximum resident set size' "$out.time" | awk '{print $NF}')
	printf '| %s | %s | %s | %d MB | %s s | %s |\n' "$N" "$label" "$wall" $((rss / 1024)) \
		"$(awk -v a="$c0" -v b="$c1" 'BEGIN{printf "%.1f", b - a}')" "$(cut -d' ' -f1-3 /proc/loadavg)"
	grep -E '^(run|requests)' "$out" >&2 || true
}
syn() { # label [runs]
	measure "synchronizer: $1" "$bench" sync -a "$auth/syn-a/" -b "$auth/syn-b/" -state "$PEERS_DIR/syn-state" \
		-inflight "${INFLIGHT:-0}" -runs "${2:-1}"
}
# per_run label: one row per engine run of the last davbench sync (its own wall time, without process start-up),
# with that run's requests by method.
per_run() {
	local line i t req
	while read -r line; do
		i="${line#run }"
		i="${i%% *}"
		t="$(sed -E 's/.* in ([^,]+), counts.*/\1/' <<<"$line")"
		req="$(grep -E "^requests $i:" "$PEERS_DIR/out" | sed -E 's/^requests [0-9/]+: //')"
		printf '| %s | synchronizer: %s, run %s (in-process) | %s | %s | | |\n' "$N" "$1" "$i" "$t" "${req:-no requests}"
	done < <(grep -E '^run [0-9]+/' "$PEERS_DIR/out")
}
vds() { RADPORT=$vport measure "vdirsyncer: $1" /usr/bin/vdirsyncer -c "$PEERS_DIR/vds.conf" sync bench; }

echo "| events | run | wall (m:ss) | peak RSS | Radicale CPU during the run | load average (1/5/15 min) at its end |"
echo "|---|---|---|---|---|---|"
if [[ "${PARALLEL_FIRST:-0}" == 1 ]]; then
	OUT=syn-first syn "first sync (at the same time as vdirsyncer's, own Radicale)" >"$PEERS_DIR/syn-first.row" &
	spid=$!
	OUT=vds-first vds "first sync (at the same time as synchronizer's, own Radicale)" >"$PEERS_DIR/vds-first.row" &
	vpid=$!
	wait "$spid" || exit 1
	cat "$PEERS_DIR/syn-first.row"
	wait "$vpid" || exit 1
	cat "$PEERS_DIR/vds-first.row"
else
	syn "first sync"
	vds "first sync"
fi
if [[ "${ONLY_FIRST:-0}" == 1 ]]; then
	exit 0
fi
syn "no-change resync"
vds "no-change resync"
# The appliance is one long-running process: its steady-state poll is a run of an engine (and connectors) that
# already ran. Three runs in one process: the first pays process start-up, the second and third are that poll.
# vdirsyncer has no such mode; its later no-change resyncs (a fresh process, as always) are the comparison.
syn "second no-change resync (fresh process)"
vds "second no-change resync"
syn "no-change resync, 3 runs in one process" 3
per_run "no-change resync"
vds "third no-change resync"
"$bench" modify -url "$auth/syn-a/" -updates 100 -deletes 50 >/dev/null
"$bench" modify -url "http://alice:x@127.0.0.1:$vport/alice/vds-a/" -updates 100 -deletes 50 >/dev/null
syn "100 updates + 50 deletes"
vds "100 updates + 50 deletes"
# Both tools must end with identical collections: B holds N − 50 events.
for p in syn vds; do
	if [[ $p == syn ]]; then base_p="$base"; else base_p="$vbase"; fi
	n=$(curl -s -u alice:x -X PROPFIND -H 'Depth: 1' -H 'Content-Type: application/xml' "$base_p/$p-b/" | grep -o '<[A-Za-z:]*getetag>' | wc -l)
	echo "check: $p-b holds $n events (want $((N - 50)))" >&2
	n=$(curl -s -u alice:x -X PROPFIND -H 'Depth: 1' -H 'Content-Type: application/xml' "$base_p/$p-a/" | grep -o '<[A-Za-z:]*getetag>' | wc -l)
	echo "check: $p-a holds $n events (want $((N - 50)))" >&2
done
