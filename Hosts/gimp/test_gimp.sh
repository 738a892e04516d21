#!/bin/sh
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The DreamClean authors
#
# Runs the plug-in inside gimp-console on a scratch GIMP profile: denoising must equal the CLI's result bit for bit
# (same library, model and seed), inpainting the selection must change the selected pixels and nothing else, and
# mix 0 must leave the layer as it was.
#   sh test_gimp.sh PLUGIN_BINARY SCRATCH_FOLDER
set -eu
plugin=$1
scratch=$2
cli=.build/release/dreamclean
rm -rf "$scratch"
mkdir -p "$scratch/profile/plug-ins/dreamclean-gimp"
cp "$plugin" "$scratch/profile/plug-ins/dreamclean-gimp/dreamclean-gimp"
export GIMP2_DIRECTORY="$(cd "$scratch" && pwd)/profile"
vips crop examples/images/noisy.png "$scratch/small.png" 40 40 48 40

# A failing batch command leaves gimp-console waiting for the next one: the timeout ends it.
timeout 300 gimp-console-2.10 -i -d -f --batch-interpreter plug-in-script-fu-eval -b "
(let* ((image (car (gimp-file-load RUN-NONINTERACTIVE \"$scratch/small.png\" \"small.png\")))
       (drawable (car (gimp-image-get-active-drawable image))))
  (plug-in-dreamclean RUN-NONINTERACTIVE image drawable \"denoise\" \"fast\" 1 1.0)
  (gimp-file-save RUN-NONINTERACTIVE image drawable \"$scratch/gimp-denoised.png\" \"gimp-denoised.png\"))
(let* ((image (car (gimp-file-load RUN-NONINTERACTIVE \"$scratch/small.png\" \"small.png\")))
       (drawable (car (gimp-image-get-active-drawable image))))
  (gimp-image-select-rectangle image CHANNEL-OP-REPLACE 16 12 12 10)
  (plug-in-dreamclean RUN-NONINTERACTIVE image drawable \"inpaint\" \"fast\" 1 1.0)
  (gimp-file-save RUN-NONINTERACTIVE image drawable \"$scratch/gimp-inpainted.png\" \"gimp-inpainted.png\"))
(let* ((image (car (gimp-file-load RUN-NONINTERACTIVE \"$scratch/small.png\" \"small.png\")))
       (drawable (car (gimp-image-get-active-drawable image))))
  (plug-in-dreamclean RUN-NONINTERACTIVE image drawable \"denoise\" \"fast\" 1 0.0)
  (gimp-file-save RUN-NONINTERACTIVE image drawable \"$scratch/gimp-mix0.png\" \"gimp-mix0.png\"))
(gimp-quit 0)" > "$scratch/gimp.log" 2>&1 || { cat "$scratch/gimp.log"; exit 1; }

"$cli" restore "$scratch/small.png" "$scratch/cli-denoised.png" --task denoise --preset fast --seed 1 --quiet
# Whether two images are identical (vips prints the largest absolute difference as a float).
same() {
    vips subtract "$1" "$2" "$scratch/d.v" && vips abs "$scratch/d.v" "$scratch/a.v" &&
        vips max "$scratch/a.v" | awk '{ exit !($1 == 0) }'
}
same "$scratch/gimp-denoised.png" "$scratch/cli-denoised.png" ||
    { echo "gimp: denoising differs from the CLI"; exit 1; }
same "$scratch/gimp-mix0.png" "$scratch/small.png" || { echo "gimp: mix 0 changed the layer"; exit 1; }
vips crop "$scratch/gimp-inpainted.png" "$scratch/inside.v" 16 12 12 10
vips crop "$scratch/small.png" "$scratch/inside-before.v" 16 12 12 10
! same "$scratch/inside.v" "$scratch/inside-before.v" ||
    { echo "gimp: inpainting left the selection unchanged"; exit 1; }
vips crop "$scratch/gimp-inpainted.png" "$scratch/above.v" 0 0 48 12
vips crop "$scratch/small.png" "$scratch/above-before.v" 0 0 48 12
same "$scratch/above.v" "$scratch/above-before.v" ||
    { echo "gimp: inpainting changed pixels outside the selection"; exit 1; }
echo "gimp: the plug-in ran in gimp-console; denoising equals the CLI, inpainting changed only the selection, mix 0 left the layer as it was"
