#!/bin/sh
# start-radicale.sh starts Radicale on 127.0.0.1 with a fresh data directory (any Basic user and password is
# accepted; a user owns the collections under /<user>/). It prints the base URL and writes $PEERS_DIR/radicale.pid.
# Usage: start-radicale.sh [PORT]   (default 5232)
set -eu
. "$(dirname "$0")/common.sh"
PORT="${1:-5232}"
DIR="$PEERS_DIR/radicale-$PORT"
rm -rf "$DIR"
mkdir -p "$DIR/data"
cat >"$DIR/config" <<CONF
[server]
hosts = 127.0.0.1:$PORT
max_connections = 20
[auth]
type = none
[rights]
type = owner_only
[storage]
filesystem_folder = $DIR/data
[logging]
level = warning
CONF
/usr/bin/radicale --config "$DIR/config" >"$DIR/log" 2>&1 &
echo $! >"$PEERS_DIR/radicale-$PORT.pid"
wait_http "http://127.0.0.1:$PORT/" >/dev/null
echo "http://127.0.0.1:$PORT/"
