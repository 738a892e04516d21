#!/bin/sh
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The DreamClean authors
#
# One training run of the wider prior (train.py's w48) on a lent GPU machine, in three steps, each a subcommand:
#
#   Models/training/gpu_train.sh prepare          # here: the training photos at half size (JPEG q95) in .gpu-data/
#   Models/training/gpu_train.sh run [MINUTES]    # there (carry .gpu-data): trains on cuda for MINUTES (8), then
#                                                 # exports fp16 weights into $OUT in parts under 16 MiB
#   Models/training/gpu_train.sh receive DIR      # here: joins the parts in DIR into Models/wide and checks that
#                                                 # the Swift CLI loads and runs them
#   Models/training/gpu_train.sh check            # here, on the CPU: the three steps with a few photos and seconds
#
# The device machine has PyTorch but not the photos (../shared stays behind), and gives back at most 8 files of
# 16 MiB each. Only shared/datasets/train is packed: never a test image.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
DATA="$ROOT/.gpu-data"
PART_BYTES=15000000

prepare() {  # prepare [LIMIT]: LIMIT photos per folder (all by default)
    python3 - "$ROOT/../shared/datasets/train" "$DATA" "${1:-0}" <<'EOF'
import os, sys
from PIL import Image
source, target, limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
count = size = 0
for folder in sorted(os.listdir(source)):
    names = sorted(n for n in os.listdir(os.path.join(source, folder)) if n.lower().endswith((".jpg", ".jpeg", ".png")))
    os.makedirs(os.path.join(target, folder), exist_ok=True)
    for name in names[:limit or None]:
        image = Image.open(os.path.join(source, folder, name)).convert("RGB")
        half = image.resize((max(image.width // 2, 1), max(image.height // 2, 1)), Image.LANCZOS, reducing_gap=None)
        path = os.path.join(target, folder, os.path.splitext(name)[0] + ".jpg")
        half.save(path, quality=95)
        count, size = count + 1, size + os.path.getsize(path)
print(f"prepare: {count} photos at half size, {size / 2**20:.1f} MiB in {target}")
EOF
}

run() {  # run [MINUTES] [DEVICE] [BATCH] [OUT]
    minutes=${1:-8}; device=${2:-cuda}; batch=${3:-256}; out=${4:-$OUT}
    work=$(mktemp -d)
    set -- --data "$DATA" --photo-scale 0.5 --arch w48 --init "$work/none" --run "$work/run" --device "$device" \
        --batch "$batch" --crop 64 --checkpoint-minutes 100 --threads "$(nproc)"
    [ "$device" = cuda ] && set -- "$@" --amp
    PYTHONUNBUFFERED=1 python3 "$HERE/train.py" "$@" --minutes "$minutes"
    python3 "$HERE/train.py" "$@" --export "$work/wide"
    cp "$work/wide/config.json" "$out/"
    [ -f "$work/run/loss.csv" ] && cp "$work/run/loss.csv" "$out/"  # written every 50 steps
    split -b "$PART_BYTES" -d "$work/wide/model.safetensors" "$out/model.safetensors.part"
    ls -l "$out"
}

receive() {  # receive DIR [TARGET]: DIR holds config.json, loss.csv and model.safetensors.part*; TARGET Models/wide
    target=${2:-$ROOT/Models/wide}
    mkdir -p "$target"
    cp "$1/config.json" "$target/"
    [ -f "$1/loss.csv" ] && cp "$1/loss.csv" "$target/"
    cat "$1"/model.safetensors.part* > "$target/model.safetensors"
    cli="$ROOT/.build/release/dreamclean"
    "$cli" info --model "$target"
    python3 -c "
import numpy as np; from PIL import Image
rng = np.random.default_rng(1)
Image.fromarray(np.clip(128 + rng.normal(0, 25, (64, 64, 3)), 0, 255).astype(np.uint8)).save('$target/.check.png')"
    "$cli" restore "$target/.check.png" "$target/.check-out.png" --task denoise --noise-sigma 25 --model "$target" --quiet
    rm -f "$target/.check.png" "$target/.check-out.png"
    echo "receive: $target loads and restores"
}

case "${1:-}" in
    prepare) shift; prepare "$@" ;;
    run) shift; run "$@" ;;
    receive) shift; receive "$@" ;;
    check)
        # The device run's path on the CPU: 3 photos per folder, 0.05 minutes, batch 4; the export split and joined.
        DATA=$(mktemp -d); back=$(mktemp -d); wide=$(mktemp -d)
        prepare 3
        run 0.05 cpu 4 "$back"
        receive "$back" "$wide"
        rm -rf "$DATA" "$back" "$wide"
        echo "gpu_train check: passed" ;;
    *) sed -n '4,15p' "$0"; exit 2 ;;
esac
