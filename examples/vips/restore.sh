#!/bin/sh
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The DreamClean authors
#
# vips pipelines with the dreamclean operation (installed by `make install` into libvips' module folder).
#   sh restore.sh IN OUT_FOLDER
set -eu
in=$1
out=$2
mkdir -p "$out"

# Denoise with a fixed seed (reproducible), then save as PNG.
vips dreamclean "$in" "$out/denoised.png" --task denoise --preset fast --seed 1

# Remove JPEG blocks from a quality-10 copy of the image.
vips copy "$in" "$out/q10.jpg[Q=10]"
vips dreamclean "$out/q10.jpg" "$out/deblocked.png" --task jpeg --preset fast --seed 1

# Twice the size: super-resolution, then a light sharpen, as one shell pipeline through .v files.
vips dreamclean "$in" "$out/sr.v" --task sr --scale 2 --preset fast --seed 1
vips sharpen "$out/sr.v" "$out/sr-sharpened.png"
rm -f "$out/sr.v"
