#!/bin/sh
# Installs the Debian packages one stage of docker/Dockerfile needs, and only when one of them is missing:
# the stock Debian images lack them all, so apt-get fetches them from Debian's archive; tools/docker-base's
# images hold them already, so a build from those needs no network at all.
# Usage: install-packages.sh STAGE PACKAGE...
set -eu
stage=$1
shift
missing=$(for package in "$@"; do
  dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null | grep -qx installed || echo "$package"
done)
if [ -z "$missing" ]; then
  echo "$stage packages installed already: $*"
  exit 0
fi
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"
rm -rf /var/lib/apt/lists/*
