#!/bin/sh
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The DreamClean authors
#
# The preset sweep behind the rows in Sources/DreamClean/Tasks/: each line runs `make quality`'s protocol
# (Models/quality.py) on one task and one DreamClean column with one setting and prints its mean PSNR.
#   sh Models/sweep_presets.sh [MODEL_FOLDER] > Models/default/preset-sweep.txt
# "preset" is the shipped setting; "--start inversion --gamma G --vps-iters 1" is the paper's loop for comparison.
# Strengths are written as the depth whose sigma_t is s/255: 8 -> 0.016, 12 -> 0.026, 20 -> 0.045, 25 -> 0.057,
# 35 -> 0.081, 50 -> 0.115, 160 -> 0.303, 320 -> 0.442.
set -eu
MODEL=${1:-Models/default}
ARGS=${SWEEP_ARGS:---per-set 2 --crop 128}
run() {  # task, mode, extra CLI arguments
    printf '%s | %s | %s | ' "$1" "$2" "${3:-preset}"
    python3 Models/quality.py --model "$MODEL" $ARGS --tasks "$1" --modes "$2" --no-baseline --extra "${3:-}" 2>&1 \
        | sed -n 's/^done: [^:]*: \(.*\), [0-9.]* s\/image$/\1/p'
}
for task in "noise sigma 15" "noise sigma 25" "noise sigma 50"; do
    for mode in blind known; do
        run "$task" $mode ""
        for steps in 1 2 3 4; do run "$task" $mode "--steps $steps"; done
        run "$task" $mode "--gamma 0.3"
        run "$task" $mode "--start inversion --gamma 0.8 --vps-iters 1 --steps 8"
    done
done
# JPEG's settings follow the compression the image shows: swept by Models/sweep_jpeg.py (jpeg-sweep.txt); here the
# shipped path against the paper's loop.
for q in 10 30; do
    run "jpeg q$q" blind ""
    run "jpeg q$q" blind "--start inversion --strength 0.01 --gamma 0.2 --vps-iters 1 --steps 8"
done
for task in "sr x4 (box)" "blur sigma 1.6 + noise 0.01" "inpaint 50% pixels"; do
    for strength in 0.026 0.057 0.081; do run "$task" known "--strength $strength"; done
    for steps in 4 16; do run "$task" known "--steps $steps"; done
    run "$task" known "--start inversion --strength 0.1 --gamma 0.3 --vps-iters 1 --steps 8"
done
for strength in 0.115 0.303 0.442; do run "colorize" known "--strength $strength"; done
run "colorize" known "--start inversion --strength 0.2 --gamma 0.3 --vps-iters 1 --steps 8"
