#!/bin/sh
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The DreamClean authors
#
# The CLI stopped mid-run never damages OUT: Ctrl-C and SIGTERM cancel (exit 130, OUT as it was); SIGKILL at any
# moment leaves OUT either as it was or complete (it is written under a temporary name and renamed).
#   sh Tests/cli/test_interrupt.sh CLI SCRATCH
set -u
cli=$1
scratch=$2
rm -rf "$scratch" && mkdir -p "$scratch"
in=examples/images/noisy.png  # runs: deblurring with the paper's full loop (inversion, VPS), long enough to interrupt
old="$scratch/old.png"
vips black "$old" 7 5
fail() { echo "cli interrupt: $*"; exit 1; }

for sig in INT TERM; do
    cp "$old" "$scratch/out.png"
    "$cli" restore "$in" "$scratch/out.png" --task deblur --preset quality --start inversion --gamma 0.5 --seed 1 --quiet 2> "$scratch/err" &
    pid=$!
    sleep 1
    kill -$sig $pid
    wait $pid
    code=$?
    [ $code = 130 ] || fail "SIG$sig: exit $code, expected 130 ($(cat "$scratch/err"))"
    cmp -s "$old" "$scratch/out.png" || fail "SIG$sig: OUT changed"
done

# A large image: the signal reaches the library's cancellation token, which is read before every tile, so the exit
# does not wait for a whole network evaluation (the time it took is printed, not asserted).
vips resize "$in" "$scratch/large.png" 5 --kernel linear
cp "$old" "$scratch/out.png"
"$cli" restore "$scratch/large.png" "$scratch/out.png" --task denoise --noise-sigma 25 --preset quality --tile-size 256 \
    --seed 1 --quiet 2> "$scratch/err" &
pid=$!
sleep 4
sent=$(date +%s.%N)
kill -TERM $pid
wait $pid
code=$?
took=$(awk -v a="$sent" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
[ $code = 130 ] || fail "SIGTERM on a large image: exit $code, expected 130 ($(cat "$scratch/err"))"
cmp -s "$old" "$scratch/out.png" || fail "SIGTERM on a large image: OUT changed"
large_note="a $(vipsheader -f width "$scratch/large.png")x$(vipsheader -f height "$scratch/large.png") restoration stopped $took s after SIGTERM"

for delay in 0.1 0.5 1 2 3 4 6; do
    cp "$old" "$scratch/out.png"
    "$cli" restore "$in" "$scratch/out.png" --task deblur --preset fast --start inversion --gamma 0.5 --seed 1 --quiet 2> /dev/null &
    pid=$!
    sleep $delay
    kill -KILL $pid 2> /dev/null
    wait $pid 2> /dev/null
    if ! cmp -s "$old" "$scratch/out.png"; then
        [ "$(vipsheader -f width "$scratch/out.png")x$(vipsheader -f height "$scratch/out.png")" = 214x192 ] ||
            fail "SIGKILL after $delay s: OUT is neither the old file nor a complete result"
    fi
done
echo "cli interrupt: SIGINT and SIGTERM exit 130 with OUT untouched ($large_note); SIGKILL at 7 moments left OUT old or complete"
