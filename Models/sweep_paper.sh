#!/bin/sh
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The DreamClean authors
#
# The sweep behind the `paper` preset's rows (Sources/DreamClean/Tasks/PaperLoop.swift): the paper's loop (DDIM
# inversion to the depth, one VPS correction and one DDIM step per timestep, K = 30, no blind extras) on `make
# quality`'s protocol (Models/quality.py), strength x gamma per task, mean PSNR of 6 development crops.
#   sh Models/sweep_paper.sh [MODEL_FOLDER] [ROWS] > Models/default/paper-sweep.txt
# ROWS: "known" (the known-operator tasks) or "noise" (blind and denoise on white noise, blind on a JPEG: "image
# noise" is the depth whose sigma_t matches the noise the image reads, a fixed strength otherwise), or "all" (default).
# A setting without --strength is the image-noise depth. Gamma 0 is plain DDIM inversion and back. KNOWN_GAMMAS,
# NOISE_GAMMAS, NOISE_DEPTHS and NOISE_ROWS (;-separated) override what is swept. paper-sweep.txt also holds the
# larger gammas on white noise: NOISE_ROWS="noise sigma 25|blind;noise sigma 25|known" NOISE_DEPTHS="image 0.2"
# NOISE_GAMMAS="0.6 0.9" sh Models/sweep_paper.sh Models/default noise.
set -eu
MODEL=${1:-Models/default}
ROWS=${2:-all}
KNOWN_GAMMAS=${KNOWN_GAMMAS:-0 0.1 0.3}
NOISE_GAMMAS=${NOISE_GAMMAS:-0 0.1 0.3}
NOISE_DEPTHS=${NOISE_DEPTHS:-image 0.1 0.2}
NOISE_ROWS=${NOISE_ROWS:-noise sigma 25|blind;noise sigma 25|known;jpeg q30|blind}
ARGS=${SWEEP_ARGS:---per-set 2 --crop 128}
run() {  # task, mode, extra CLI arguments
    printf '%s | %s | %s | ' "$1" "$2" "$3"
    python3 Models/quality.py --model "$MODEL" $ARGS --tasks "$1" --modes "$2" --no-baseline --polyu "" --extra "--preset paper $3" 2>&1 \
        | sed -n 's/^done: [^:]*: \(.*\), [0-9.]* s\/image$/\1/p'
}
if [ "$ROWS" != noise ]; then
    for task in "sr x4 (box)" "blur sigma 1.6 + noise 0.01" "inpaint 50% pixels" "colorize (luma gray)"; do
        case $task in colorize*) strengths="0.1 0.3 0.5" ;; *) strengths="0.057 0.2 0.4" ;; esac
        run "$task" known "--preset balanced"  # the shipped preset, for comparison (the last --preset wins)
        for s in $strengths; do
            for g in $KNOWN_GAMMAS; do run "$task" known "--strength $s --gamma $g"; done
        done
    done
fi
if [ "$ROWS" != known ]; then
    IFS=';'
    for row in $NOISE_ROWS; do
        IFS=' '
        task=${row%|*}; mode=${row#*|}
        run "$task" "$mode" "--preset balanced"
        for s in $NOISE_DEPTHS; do
            depth=$([ "$s" = image ] && echo "" || echo "--strength $s ")
            for g in $NOISE_GAMMAS; do run "$task" "$mode" "$depth--gamma $g"; done
        done
    done
fi
