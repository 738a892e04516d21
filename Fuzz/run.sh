#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The DreamClean authors
#
# Runs each libFuzzer harness for SECONDS on a working copy of its committed seed corpus, PARALLEL at a time, and
# prints executions and crashes; exits non-zero if any harness crashed (the input is under .build-fuzz/artifacts/).
#   Fuzz/run.sh SECONDS PARALLEL BINARY_FOLDER NAME...
set -uo pipefail
seconds=$1 parallel=$2 binaries=$3
shift 3
mkdir -p .build-fuzz/artifacts .build-fuzz/logs
run_one() {
    local name=$1 work=.build-fuzz/corpus/$1
    # The harnesses that restore run oneDNN's JIT kernels, which keep their stack where AddressSanitizer does not
    # expect it: libFuzzer's SIGALRM timeout handler, landing there, is reported as an overflow in clock_gettime. No
    # timer for them.
    local timeout=20
    case "$name" in capi|model|vips) timeout=0 ;; esac
    mkdir -p "$work"
    "$binaries/fuzz-$name" -max_total_time="$seconds" -timeout=$timeout -rss_limit_mb=4096 -print_final_stats=1 \
        -artifact_prefix=".build-fuzz/artifacts/$name-" "$work" "Fuzz/Corpus/$name" > ".build-fuzz/logs/$name.log" 2>&1
    local status=$?
    local runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' ".build-fuzz/logs/$name.log" | grep -o '[0-9]*$')
    local crashes=$(ls .build-fuzz/artifacts | grep -cE "^$name-(crash|leak|oom|timeout)-" || true)
    echo "fuzz-$name: ${seconds} s, ${runs:-?} executions, corpus $(ls "$work" | wc -l) inputs, exit $status, failing inputs $crashes"
    return $status
}
failed=0
pids=()
for name in "$@"; do
    run_one "$name" &
    pids+=($!)
    if (( ${#pids[@]} >= parallel )); then wait "${pids[0]}" || failed=1; pids=("${pids[@]:1}"); fi
done
for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
if (( failed )); then echo "a harness crashed: see .build-fuzz/logs and .build-fuzz/artifacts"; fi
exit $failed
