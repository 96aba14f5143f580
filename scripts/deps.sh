#!/bin/sh
# Install the Debian packages suanli's build and tests need, if any are missing.
# Silent and instant when everything is there; a clear message when it cannot
# install (not root, no apt-get, no network).  Usage: scripts/deps.sh [extra-pkg...]
set -u

PKGS="build-essential pkg-config libyaml-dev libjansson-dev libsqlite3-dev
libmicrohttpd-dev libcurl4-openssl-dev libcmocka-dev zlib1g-dev libsodium-dev
curl prometheus wrk $*"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
# The integration tests read JSON with python3 (standard library only): any
# python3 on PATH will do, else Debian's.
command -v python3 >/dev/null 2>&1 || missing="$missing python3"
[ -z "$missing" ] && exit 0

echo "suanli: installing missing Debian packages:$missing" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
		echo "suanli: cannot install$missing: not root and no sudo." >&2
		echo "suanli: run as root: apt-get install$missing" >&2
		exit 1
	fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
	echo "suanli: cannot install$missing: apt-get not found (Debian 12 expected)." >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get install -y -q --no-install-recommends $missing >/tmp/suanli-apt.$$ 2>&1; then
	# Package lists may be stale or absent on a fresh machine: update once, retry.
	$SUDO apt-get update -q >/dev/null 2>&1
	if ! $SUDO apt-get install -y -q --no-install-recommends $missing >/tmp/suanli-apt.$$ 2>&1; then
		echo "suanli: apt-get could not install$missing:" >&2
		tail -n 5 /tmp/suanli-apt.$$ >&2
		rm -f /tmp/suanli-apt.$$
		exit 1
	fi
fi
rm -f /tmp/suanli-apt.$$
exit 0
