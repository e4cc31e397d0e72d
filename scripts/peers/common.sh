# common.sh is sourced by the start-*.sh scripts: it sets PEERS_DIR (the scratch directory every server keeps its
# data, logs and PID file in; default /tmp/synchronizer-peers) and provides wait_http.
PEERS_DIR="${PEERS_DIR:-/tmp/synchronizer-peers}"
mkdir -p "$PEERS_DIR"
export PEERS_DIR

# wait_http URL [USER:PASS]: waits up to 30 s until URL answers an HTTP request (any status but a connection error).
wait_http() {
	i=0
	while [ $i -lt 300 ]; do
		if [ -n "${2:-}" ]; then
			code=$(curl -s -o /dev/null -w '%{http_code}' -u "$2" -X PROPFIND -H 'Depth: 0' "$1" || true)
		else
			code=$(curl -s -o /dev/null -w '%{http_code}' -X PROPFIND -H 'Depth: 0' "$1" || true)
		fi
		case "$code" in
		000 | "") ;;
		*) return 0 ;;
		esac
		sleep 0.1
		i=$((i + 1))
	done
	echo "peers: $1 did not answer within 30 s" >&2
	return 1
}
