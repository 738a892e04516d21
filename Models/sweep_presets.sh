#!/bin/sh
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The DreamClean authors
#
# The preset sweep behind Sources/DreamClean/RestoreTask.swift's settings: each line runs `make quality`'s protocol
# (Models/quality.py) on one task and one DreamClean column with one setting and prints its mean PSNR.
#   sh Models/sweep_presets.sh [MODEL_FOLDER] > Models/default/preset-sweep.txt
# Blind noise strengths are the depths where sigma_t is 1x, 1.5x, 2x and 3x the true noise level.
set -eu
MODEL=${1:-Models/default}
ARGS=${SWEEP_ARGS:---per-set 2 --crop 128}
run() {  # task, mode, extra CLI arguments
    printf '%s | %s | %s | ' "$1" "$2" "$3"
    python3 Models/quality.py --model "$MODEL" $ARGS --tasks "$1" --modes "$2" --no-baseline --extra "$3" 2>&1 \
        | sed -n 's/^done: [^:]*: \(.*\), [0-9.]* s\/image$/\1/p'
}
for gamma in 0.5 0.8; do
    for strength in 0.057 0.087 0.115 0.168; do run "noise sigma 25" blind "--strength $strength --gamma $gamma"; done
    for strength in 0.115 0.168 0.215 0.291; do run "noise sigma 50" blind "--strength $strength --gamma $gamma"; done
done
for q in 10 30; do
    for strength in 0.01 0.03 0.06 0.1; do run "jpeg q$q" blind "--strength $strength --gamma 0.2"; done
done
for strength in 0.1 0.2 0.4; do run "sr x4 (box)" known "--strength $strength"; done
for strength in 0.1 0.3 0.5; do run "blur sigma 1.6 + noise 0.01" known "--strength $strength"; done
for strength in 0.01 0.05 0.15 0.3; do run "inpaint 50% pixels" known "--strength $strength"; done
for strength in 0.2 0.5 0.8; do run "colorize" known "--strength $strength"; done
