#!/bin/sh
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The DreamClean authors
#
# The GEGL operation through Debian's gegl command (GEGL_PATH: the module's folder, then GEGL's own operations):
# 8-bit denoising equals the CLI's bit for bit, 16-bit within one level of 65535, a float input within one 8-bit level,
# an XML graph works as the command line does, mix 0 returns the input, sr is larger, and bad values leave the image
# as it came with a message. Then the C host test (progress, cancellation, the aux mask).
#   sh test_gegl.sh MODULE_FOLDER HOST_TEST_BINARY SCRATCH_FOLDER
set -eu
module=$1
host_test=$2
scratch=$(mkdir -p "$3" && cd "$3" && pwd)
cli=.build/release/dreamclean
export GEGL_PATH="$(cd "$module" && pwd):$(pkg-config --variable=pluginsdir gegl-0.4)"
rm -rf "$scratch" && mkdir -p "$scratch"
vips crop examples/images/noisy.png "$scratch/small.png" 40 40 48 40
vips linear "$scratch/small.png" "$scratch/wide.v" 257 0 && vips cast "$scratch/wide.v" "$scratch/deep.v" ushort &&
    vips copy "$scratch/deep.v" "$scratch/deep.png[bitdepth=16]" --interpretation rgb16

# The gegl command's own shutdown complains about buffers GEGL's cache keeps (it does so for its built-in
# operations too); everything else it prints is kept.
run_gegl() {
    gegl "$@" > "$scratch/gegl.log" 2>&1 || { cat "$scratch/gegl.log"; return 1; }
    grep -v -e "GeglBuffers leaked" -e "cache_queue" -e '^$' "$scratch/gegl.log" || true
}
# The largest absolute difference of two images, after an optional linear scale of the first.
largest_difference() {
    vips linear "$1" "$scratch/scaled.v" "${3:-1}" 0 && vips subtract "$scratch/scaled.v" "$2" "$scratch/d.v" &&
        vips abs "$scratch/d.v" "$scratch/a.v" && vips max "$scratch/a.v"
}
expect_equal() { # A B WHAT [SCALE_OF_A] [TOLERANCE]
    difference=$(largest_difference "$1" "$2" "${4:-1}")
    awk -v d="$difference" -v t="${5:-0}" 'BEGIN { exit !(d <= t) }' ||
        { echo "gegl: $3: largest difference $difference (allowed ${5:-0})"; exit 1; }
}

gegl --info dreamclean:restore | grep -q "noise-sigma" || { echo "gegl: dreamclean:restore not found"; exit 1; }

# 8-bit: gegl saves PNGs with 16 bits, the same levels times 257 (compared after a float scale: 0.01 of a level).
per_level=0.0038910505836576
run_gegl "$scratch/small.png" -o "$scratch/gegl8.png" -- dreamclean:restore task=denoise preset=fast seed=1
"$cli" restore "$scratch/small.png" "$scratch/cli8.png" --task denoise --preset fast --seed 1 --quiet
expect_equal "$scratch/gegl8.png" "$scratch/cli8.png" "8-bit differs from the CLI" "$per_level" 0.01

run_gegl "$scratch/deep.png" -o "$scratch/gegl16.png" -- dreamclean:restore task=denoise preset=fast seed=1
"$cli" restore "$scratch/deep.png" "$scratch/cli16.png" --task denoise --preset fast --seed 1 --quiet
vipsheader "$scratch/cli16.png" | grep -q ushort || { echo "gegl: the CLI did not keep 16 bits"; exit 1; }
# The CLI restores in float and its writer rounds to 16 bits; the operation gets 16-bit samples from the library,
# which rounds its own way: one level in 65535 apart at most.
expect_equal "$scratch/gegl16.png" "$scratch/cli16.png" "16-bit differs from the CLI" 1 1

# Float samples (converted before the operation): the same restoration, rounded once instead of per sample format.
run_gegl "$scratch/small.png" -o "$scratch/gegl-float.png" -- gegl:convert-format "format=R'G'B' float" \
    dreamclean:restore task=denoise preset=fast seed=1
expect_equal "$scratch/gegl-float.png" "$scratch/cli8.png" "float differs from the CLI" "$per_level" 1.01

cat > "$scratch/graph.xml" <<EOF
<?xml version='1.0' encoding='UTF-8'?>
<gegl>
  <node operation='dreamclean:restore'>
    <params><param name='task'>denoise</param><param name='preset'>fast</param><param name='seed'>1</param></params>
  </node>
  <node operation='gegl:load'><params><param name='path'>$scratch/small.png</param></params></node>
</gegl>
EOF
run_gegl "$scratch/graph.xml" -o "$scratch/gegl-xml.png"
expect_equal "$scratch/gegl-xml.png" "$scratch/cli8.png" "the XML graph differs from the CLI" "$per_level" 0.01

run_gegl "$scratch/small.png" -o "$scratch/mix0.png" -- dreamclean:restore task=denoise preset=fast seed=1 mix=0
expect_equal "$scratch/mix0.png" "$scratch/small.png" "mix 0 is not the input" "$per_level" 0.01

run_gegl "$scratch/small.png" -o "$scratch/sr.png" -- dreamclean:restore task=sr scale=2 preset=fast seed=1
test "$(vipsheader -f width "$scratch/sr.png")x$(vipsheader -f height "$scratch/sr.png")" = 96x80 ||
    { echo "gegl: sr x2 of 48x40 is not 96x80"; exit 1; }

# Bad values (GEGL spells the library's names with '-'): GLib refuses one outside the range, with a message, and the
# operation keeps that property's default; the library refuses a bad combination and a missing model, and the image
# comes out as it went in.
messages=$(run_gegl "$scratch/small.png" -o "$scratch/bad.png" -- dreamclean:restore noise-sigma=300)
echo "$messages" | grep -q "out of range for property 'noise-sigma'" ||
    { echo "gegl: noise-sigma=300 gave no message: $messages"; exit 1; }
messages=$(run_gegl "$scratch/small.png" -o "$scratch/bad.png" -- dreamclean:restore tile-size=64 tile-overlap=40)
echo "$messages" | grep -q "tile_overlap = 40 is invalid" ||
    { echo "gegl: tile-overlap=40 of 64 gave no message: $messages"; exit 1; }
expect_equal "$scratch/bad.png" "$scratch/small.png" "a refused parameter changed the image" "$per_level" 0.01
messages=$(run_gegl "$scratch/small.png" -o "$scratch/bad.png" -- dreamclean:restore model=/nonexistent/model)
echo "$messages" | grep -q "cannot load the model" || { echo "gegl: a missing model gave no message: $messages"; exit 1; }
expect_equal "$scratch/bad.png" "$scratch/small.png" "a missing model changed the image" "$per_level" 0.01

"$host_test" "$scratch/small.png"
echo "gegl: dreamclean:restore ran in the gegl command: 8-bit and an XML graph equal the CLI bit for bit, 16-bit" \
    "within 1/65535, float within one 8-bit level; mix 0 is the input, sr is larger; bad values give a message, and a"\
    "refused combination or a missing model leaves the image as it was"
