#!/bin/sh
# Installs the container engines the engine suite drives (podman with conmon
# and catatonit, containerd with ctr, docker.io) without starting any of
# their services: the suite runs its own daemons, with their own roots and
# sockets, and the host must not get Docker's bridge or iptables rules from
# a package's init script. Debian's runc is the reference runtime the tests
# compare against.
set -eu
packages="podman conmon catatonit containerd docker.io runc uidmap"
missing=""
for p in $packages; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
# invoke-rc.d asks policy-rc.d before it starts a service; 101 means "no".
# Only a policy this script wrote is removed again.
policy=/usr/sbin/policy-rc.d
ours=""
if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy"
        chmod 755 "$policy"
        ours=1
fi
trap '[ -n "$ours" ] && rm -f "$policy"' EXIT
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
