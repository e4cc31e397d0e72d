#!/bin/sh
# install.sh installs the real CalDAV/CardDAV servers the dav integration tests and benchmark run against
# (Radicale, Xandikos, DAViCal, SOGo) and vdirsyncer, from Debian packages. It is idempotent: it runs apt-get
# only when a package is missing, and apt-get update only then. Debian's policy-rc.d keeps postinst scripts from
# starting services; every server is started by hand on loopback by the start-*.sh scripts beside this file.
set -eu
PKGS="radicale xandikos vdirsyncer davical php8.2-cli php8.2-cgi php8.2-pgsql sogo memcached postgresql-15"
missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
if [ -z "$missing" ]; then
	echo "peers: all packages present"
	exit 0
fi
echo "peers: installing$missing"
export DEBIAN_FRONTEND=noninteractive
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
