#!/bin/sh
# start-postgres.sh starts a private PostgreSQL 15 cluster for DAViCal and SOGo: data and socket directory under
# $PEERS_DIR/pg, listening on 127.0.0.1:${PG_PORT:-5433} only, trust authentication (loopback test data only),
# fsync off. The system cluster is not touched. Idempotent: does nothing if the cluster already runs.
# It writes $PEERS_DIR/postgres.pid (the postmaster's PID).
set -eu
. "$(dirname "$0")/common.sh"
PG_PORT="${PG_PORT:-5433}"
PG="$PEERS_DIR/pg"
BIN=/usr/lib/postgresql/15/bin
if [ -f "$PG/data/postmaster.pid" ] && kill -0 "$(head -1 "$PG/data/postmaster.pid")" 2>/dev/null; then
	exit 0
fi
rm -rf "$PG"
mkdir -p "$PG/data" "$PG/sock"
chown -R postgres: "$PG"
chmod 755 "$PEERS_DIR"
su postgres -s /bin/sh -c "$BIN/initdb -D '$PG/data' -A trust -U postgres --no-sync >'$PG/initdb.log' 2>&1"
su postgres -s /bin/sh -c "$BIN/pg_ctl -D '$PG/data' -l '$PG/log' -o \"-c listen_addresses=127.0.0.1 -p $PG_PORT -c unix_socket_directories=$PG/sock -c fsync=off\" -w start >/dev/null"
head -1 "$PG/data/postmaster.pid" >"$PEERS_DIR/postgres.pid"
