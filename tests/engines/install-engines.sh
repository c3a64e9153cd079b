#!/bin/sh
# Installs the container engines the engine suite drives (engine-packages.txt)
# without starting any of their services: the suite runs its own daemons,
# with their own roots and sockets, and the host must not get Docker's
# bridge or iptables rules from a package's init script.
set -eu
here=$(dirname "$0")
# invoke-rc.d asks policy-rc.d before it starts a service; 101 means "no".
# Only a policy this script wrote is removed again.
policy=/usr/sbin/policy-rc.d
ours=""
if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy"
        chmod 755 "$policy"
        ours=1
fi
trap 'if [ -n "$ours" ]; then rm -f "$policy"; fi' EXIT
"$here/../../contrib/install-deps.sh" "$here/engine-packages.txt"
