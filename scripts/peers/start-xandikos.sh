#!/bin/sh
# start-xandikos.sh starts Xandikos on 127.0.0.1 with a fresh data directory. Xandikos has no authentication (it
# is meant to run behind a proxy); the principal is /user/, collections live under /user/calendars/ and
# /user/contacts/. It prints the base URL and writes $PEERS_DIR/xandikos.pid. Usage: start-xandikos.sh [PORT]
set -eu
. "$(dirname "$0")/common.sh"
PORT="${1:-8081}"
DIR="$PEERS_DIR/xandikos"
rm -rf "$DIR"
mkdir -p "$DIR/data"
/usr/bin/xandikos -d "$DIR/data" --defaults --autocreate -l 127.0.0.1 -p "$PORT" >"$DIR/log" 2>&1 &
echo $! >"$PEERS_DIR/xandikos.pid"
wait_http "http://127.0.0.1:$PORT/" >/dev/null
echo "http://127.0.0.1:$PORT/"
