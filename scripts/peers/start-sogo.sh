#!/bin/sh
# start-sogo.sh starts SOGo (sogod) on 127.0.0.1 with memcached on 127.0.0.1, its database in the private
# PostgreSQL cluster of start-postgres.sh, and SQL users alice/alicepw and bob/bobpw (plain-text passwords, test
# data only). It prints the DAV base URL and writes $PEERS_DIR/sogo.pid and $PEERS_DIR/memcached.pid.
#
# Note for CI: sogod reads its configuration from /etc/sogo/sogo.conf only, so this script replaces that file
# (the packaged one is kept once as /etc/sogo/sogo.conf.debian-default). It needs root, and runs sogod as the
# sogo user (sogod refuses to run as root). Usage: start-sogo.sh [PORT]   (default 20000)
set -eu
. "$(dirname "$0")/common.sh"
PORT="${1:-20000}"
PG_PORT="${PG_PORT:-5433}"
MC_PORT="${MC_PORT:-11212}"
"$(dirname "$0")/start-postgres.sh"
PG="$PEERS_DIR/pg"
export PGHOST="$PG/sock" PGPORT="$PG_PORT" PGUSER=postgres
if ! psql -qXAt -c "SELECT 1 FROM pg_database WHERE datname='sogo'" template1 | grep -q 1; then
	psql -qX template1 >"$PEERS_DIR/sogo-db.log" 2>&1 <<'SQL'
CREATE USER sogo PASSWORD 'sogo';
CREATE DATABASE sogo OWNER sogo;
SQL
	psql -qX -U sogo sogo >>"$PEERS_DIR/sogo-db.log" 2>&1 <<'SQL'
CREATE TABLE sogo_users (c_uid varchar(128) PRIMARY KEY, c_name varchar(128), c_password varchar(128), c_cn varchar(128), mail varchar(128));
INSERT INTO sogo_users VALUES ('alice','alice','alicepw','Alice Test','alice@example.com'), ('bob','bob','bobpw','Bob Test','bob@example.com');
SQL
fi

memcached -l 127.0.0.1 -p "$MC_PORT" -U 0 -m 64 -u memcache >"$PEERS_DIR/memcached.log" 2>&1 &
echo $! >"$PEERS_DIR/memcached.pid"

DB="postgresql://sogo:sogo@127.0.0.1:$PG_PORT/sogo"
[ -f /etc/sogo/sogo.conf.debian-default ] || cp /etc/sogo/sogo.conf /etc/sogo/sogo.conf.debian-default
cat >/etc/sogo/sogo.conf <<CONF
{
  /* Written by synchronizer scripts/peers/start-sogo.sh for the loopback test instance. */
  SOGoProfileURL = "$DB/sogo_user_profile";
  OCSFolderInfoURL = "$DB/sogo_folder_info";
  OCSSessionsFolderURL = "$DB/sogo_sessions_folder";
  OCSStoreURL = "$DB/sogo_store";
  OCSAclURL = "$DB/sogo_acl";
  OCSCacheFolderURL = "$DB/sogo_cache_folder";
  SOGoUserSources = (
    {
      type = sql;
      id = users;
      viewURL = "$DB/sogo_users";
      canAuthenticate = YES;
      isAddressBook = NO;
      userPasswordAlgorithm = plain;
    }
  );
  WOPort = "127.0.0.1:$PORT";
  WONoDetach = YES;
  WOLogFile = "-";
  WOPidFile = "$PEERS_DIR/sogo-home/sogod.pid";
  WOWorkersCount = 2;
  SOGoMemcachedHost = "127.0.0.1:$MC_PORT";
  SOGoTimeZone = "UTC";
  SOGoMailDomain = "example.com";
  SOGoLanguage = English;
  SOGoAppointmentSendEMailNotifications = NO;
  SOGoEnableEMailAlarms = NO;
}
CONF
mkdir -p "$PEERS_DIR/sogo-home"
chown sogo: "$PEERS_DIR/sogo-home"
HOME="$PEERS_DIR/sogo-home" setpriv --reuid=sogo --regid=sogo --init-groups /usr/sbin/sogod >"$PEERS_DIR/sogo.log" 2>&1 &
echo $! >"$PEERS_DIR/sogo.pid"
wait_http "http://127.0.0.1:$PORT/SOGo/dav/alice/" alice:alicepw >/dev/null
echo "http://127.0.0.1:$PORT/SOGo/dav/"
