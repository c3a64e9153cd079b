#!/bin/bash
# make check-engines: installs podman, containerd and Docker (without
# starting their services), then runs the engine suites, each engine as a
# private service of its own bats file. Prints TAP; exits non-zero if any
# suite failed. Pass file names (cli.bats needs ENGINE=podman or docker in
# the environment) to run fewer.
set -u
here=$(cd "$(dirname "$0")" && pwd)
"$here/install-engines.sh" || exit 1
# bats would wait for anything a container engine daemonizes on fd 3.
exec 3>&-
if [ $# -gt 0 ]; then
        exec bats --tap "$@"
fi
status=0
ENGINE=podman bats --tap "$here/cli.bats" "$here/podman.bats" || status=1
ENGINE=docker bats --tap "$here/cli.bats" "$here/docker.bats" || status=1
bats --tap "$here/containerd.bats" || status=1
exit $status
