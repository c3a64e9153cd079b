#!/bin/sh
# Installs the Debian packages ocirun needs to build and test (as root), or
# those of another list given as the argument (one package per line, #
# comments). Skips apt entirely when everything is already there, so
# repeated test runs stay fast and work offline.
set -eu
list=${1:-"$(dirname "$0")/debian-packages.txt"}
packages=$(grep -v -e '^#' -e '^$' "$list")
missing=""
for p in $packages; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
