#!/bin/sh
# start-davical.sh starts DAViCal with PHP's built-in web server on 127.0.0.1 (no Apache), its database in the
# private PostgreSQL cluster of start-postgres.sh, and two users: alice/alicepw and bob/bobpw (plain-text
# passwords, test data only). It prints the base URL and writes $PEERS_DIR/davical.pid.
#
# Note for CI: DAViCal reads its configuration only from /etc/davical/<SERVER_NAME>-conf.php, so this script
# writes /etc/davical/127.0.0.1-conf.php (it needs root, as the package install does). Nothing else outside
# $PEERS_DIR is written. Usage: start-davical.sh [PORT]   (default 8082)
set -eu
. "$(dirname "$0")/common.sh"
PORT="${1:-8082}"
PG_PORT="${PG_PORT:-5433}"
"$(dirname "$0")/start-postgres.sh"
PG="$PEERS_DIR/pg"
export PGHOST="$PG/sock" PGPORT="$PG_PORT" PGUSER=postgres
if ! psql -qXAt -c "SELECT 1 FROM pg_database WHERE datname='davical'" template1 | grep -q 1; then
	/usr/share/davical/dba/create-database.sh davical adminpw >"$PEERS_DIR/davical-db.log" 2>&1
	psql -qX -U davical_dba davical >>"$PEERS_DIR/davical-db.log" 2>&1 <<'SQL'
INSERT INTO usr (active,email_ok,updated,username,password,fullname,email) VALUES
  (TRUE,current_date,current_date,'alice','**alicepw','Alice Test','alice@example.com'),
  (TRUE,current_date,current_date,'bob','**bobpw','Bob Test','bob@example.com');
INSERT INTO principal (type_id,user_no,displayname,default_privileges)
  SELECT 1,user_no,fullname,privilege_to_bits(ARRAY['DAV::read-free-busy','caldav:schedule-query-freebusy']) FROM usr WHERE username IN ('alice','bob');
SQL
fi
mkdir -p /etc/davical
cat >/etc/davical/127.0.0.1-conf.php <<CONF
<?php
// Written by synchronizer scripts/peers/start-davical.sh for the loopback test instance.
\$c->pg_connect[] = "dbname=davical port=$PG_PORT host=$PG/sock user=davical_app";
\$c->admin_email = 'admin@example.com';
\$c->system_name = 'DAViCal test';
\$c->default_locale = 'en_US.UTF-8';
\$c->readonly_webdav_collections = false;
CONF
# php -S forks its workers; setsid gives them their own process group so stop-all.sh can stop them together.
PHP_CLI_SERVER_WORKERS=4 setsid php -S "127.0.0.1:$PORT" -t /usr/share/davical/htdocs >"$PEERS_DIR/davical.log" 2>&1 &
echo $! >"$PEERS_DIR/davical.pid"
wait_http "http://127.0.0.1:$PORT/caldav.php/alice/" alice:alicepw >/dev/null
echo "http://127.0.0.1:$PORT/caldav.php/"
