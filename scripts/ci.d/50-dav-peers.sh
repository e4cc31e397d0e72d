#!/usr/bin/env bash
# CalDAV/CardDAV integration: install (if missing) and start real Radicale, Xandikos, DAViCal and SOGo servers on
# loopback, run the engine/dav integration tests against them, and stop every server by its PID on every exit
# path. Needs root (apt, the postgres and sogo users, /etc/davical and /etc/sogo; see scripts/peers/*.sh).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
peers="$root/scripts/peers"
export PEERS_DIR="$(mktemp -d "${TMPDIR:-/tmp}/syn-dav-peers.XXXXXX")"
# Ports apart from the defaults so a developer's own instances keep running.
export PG_PORT=15433 MC_PORT=11213

cleanup() {
	"$peers/stop-all.sh" || true
	rm -rf "$PEERS_DIR"
}
trap cleanup EXIT

echo "== dav peers: install"
"$peers/install.sh"

echo "== dav peers: start"
rad="$("$peers/start-radicale.sh" 15232)"
xan="$("$peers/start-xandikos.sh" 18081)"
davical="$("$peers/start-davical.sh" 18082)"
sogo="$("$peers/start-sogo.sh" 20001)"

export DAV_RADICALE_URL="http://alice:x@${rad#http://}alice/"
export DAV_XANDIKOS_URL="${xan}user/"
export DAV_DAVICAL_URL="http://alice:alicepw@${davical#http://}alice/"
export DAV_SOGO_URL="http://alice:alicepw@${sogo#http://}alice/"

echo "== dav peers: integration tests"
cd "$root"
go test ./engine/dav/... -run Integration -count=1 -timeout 4m
