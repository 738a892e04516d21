#!/bin/sh
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The DreamClean authors
#
# dreamclean.ray on a local 2-CPU Ray cluster that only talks to 127.0.0.1: started in its own network namespace
# (Ray binds the machine's other addresses otherwise), Hosts/python/ray_cluster_checks.py run against it, stopped.
# Without ray[data] or network namespaces the test says SKIPPED; it never passes without running.
#   sh Hosts/python/test_ray.sh LIBRARY
set -u
library=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
if ! python3 -c "import ray.data" 2> /dev/null; then
    echo "ray: SKIPPED (ray[data] is not installed; make deps-test installs it)"; exit 0
fi
if ! unshare --net true 2> /dev/null; then
    echo "ray: SKIPPED (no network namespace here: the cluster must not bind other addresses)"; exit 0
fi
export DREAMCLEAN_LIBRARY="$library" PYTHONPATH="$(pwd)/Hosts/python" RAY_ADDRESS=127.0.0.1:6390
unshare --net sh -c '
    ip link set lo up || exit 1
    ray start --head --node-ip-address=127.0.0.1 --port=6390 --num-cpus=2 --include-dashboard=false \
        --disable-usage-stats > /tmp/dreamclean-ray-start.log 2>&1 || { cat /tmp/dreamclean-ray-start.log; exit 1; }
    python3 -m pytest Hosts/python/ray_cluster_checks.py -q -p no:cacheprovider --assert=plain -W ignore::DeprecationWarning
    status=$?
    ray stop --force > /dev/null 2>&1
    exit $status'
status=$?
[ $status = 0 ] && echo "ray: a local 2-CPU cluster on loopback restored a folder with a corrupt file, resumed, and gave the one-process results"
exit $status
