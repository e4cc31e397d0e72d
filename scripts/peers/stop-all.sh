#!/bin/sh
# stop-all.sh stops every server the start-*.sh scripts started, by the PIDs they wrote into $PEERS_DIR, and the
# private PostgreSQL cluster with pg_ctl. It never kills by name. SOGo's watchdog takes up to ~15 s to stop.
set -u
. "$(dirname "$0")/common.sh"
stop_pid() {
	f="$PEERS_DIR/$1.pid"
	[ -f "$f" ] || return 0
	pid=$(cat "$f")
	group=""
	if kill -0 "$pid" 2>/dev/null; then
		# A server started under setsid leads its own process group (php -S and its workers, which ignore
		# SIGTERM): stop the whole group.
		if [ "$(ps -o pgid= -p "$pid" | tr -d ' ')" = "$pid" ]; then
			group=1
			kill -TERM "-$pid" 2>/dev/null || true
		fi
		kill -TERM "$pid" 2>/dev/null || true
		i=0
		while kill -0 "$pid" 2>/dev/null && [ $i -lt 200 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
		[ -n "$group" ] && kill -KILL "-$pid" 2>/dev/null
	fi
	rm -f "$f"
}
for f in "$PEERS_DIR"/radicale-*.pid; do
	[ -f "$f" ] && stop_pid "$(basename "$f" .pid)"
done
stop_pid xandikos
stop_pid davical
stop_pid sogo
stop_pid memcached
if [ -f "$PEERS_DIR/pg/data/postmaster.pid" ]; then
	su postgres -s /bin/sh -c "/usr/lib/postgresql/15/bin/pg_ctl -D '$PEERS_DIR/pg/data' -m fast -w stop" >/dev/null 2>&1 || true
fi
rm -f "$PEERS_DIR/postgres.pid"
