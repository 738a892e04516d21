#!/bin/sh
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The DreamClean authors
#
# Batch mode (restore IN... --out-dir DIR) on a folder with what users' folders hold: images in subfolders, a text
# file, a zero-byte and a corrupt "png", a pipe, a loop of symbolic links, two inputs with one output name; a missing
# input, an output folder blocked by a file, a rerun (resume), --overwrite, and Ctrl-C mid-batch.
#   sh Tests/cli/test_batch.sh CLI SCRATCH
set -u
cli=$1
scratch=$(mkdir -p "$2" && cd "$2" && pwd)
model=Tests/Fixtures/adm-tiny
rm -rf "$scratch" && mkdir -p "$scratch/in/sub/deeper"
fail() { echo "cli batch: $*"; exit 1; }
lines() { grep -c "\"status\": \"$1\"" "$scratch/$2" || true; }
in=$scratch/in
vips crop examples/images/noisy.png "$in/a.png" 0 0 48 40
vips crop examples/images/noisy.png "$in/sub/b.png" 48 0 48 40
vips crop examples/images/noisy.png "$in/sub/deeper/c.png" 96 0 48 40
vips copy "$in/a.png" "$in/twin.png" && vips copy "$in/a.png" "$in/twin.jpg"
echo "not an image" > "$in/notes.txt"
: > "$in/empty.png"
head -c 200 /dev/urandom > "$in/corrupt.png"
mkfifo "$in/pipe.png"
ln -s .. "$in/sub/loop"
options="--model $model --preset fast --quiet"

"$cli" restore "$in" "$scratch/missing.png" --out-dir "$scratch/out" --manifest "$scratch/m1.jsonl" --jobs 2 $options
code=$?
[ $code = 65 ] || fail "a batch with bad files exits $code, expected 65"
[ "$(wc -l < "$scratch/m1.jsonl")" = 11 ] || fail "manifest has $(wc -l < "$scratch/m1.jsonl") lines, expected 11 (one per entry)"
[ "$(lines restored m1.jsonl)" = 4 ] || fail "$(lines restored m1.jsonl) restored, expected 4 (a, b, c, one twin)"
[ "$(lines failed m1.jsonl)" = 4 ] || fail "$(lines failed m1.jsonl) failed, expected 4 (empty, corrupt, the other twin, missing)"
[ "$(lines ignored m1.jsonl)" = 3 ] || fail "$(lines ignored m1.jsonl) ignored, expected 3 (notes.txt, the pipe, the link loop)"
grep -q '"input": "[^"]*twin[^"]*", "output": "[^"]*twin.png", "status": "failed", .*writes the same output' "$scratch/m1.jsonl" ||
    fail "the output clash is not reported"
for f in a.png sub/b.png sub/deeper/c.png twin.png; do [ -f "$scratch/out/$f" ] || fail "out/$f is missing"; done
[ -z "$(find "$scratch/out" -name '*partial*')" ] || fail "a partial file was left"

# Reproducible: an output equals a single restore with the seed the manifest names.
seed=$(grep '"input": "[^"]*/sub/b.png"' "$scratch/m1.jsonl" | sed 's/.*"seed": \([0-9]*\).*/\1/')
"$cli" restore "$in/sub/b.png" "$scratch/single.png" --seed "$seed" $options || fail "single restore"
cmp -s "$scratch/single.png" "$scratch/out/sub/b.png" || fail "the batch output differs from a single restore with its seed"

# A rerun restores nothing; --overwrite restores again, the same.
before=$(ls -l --time-style=full-iso "$scratch/out/a.png")
"$cli" restore "$in" --out-dir "$scratch/out" --manifest "$scratch/m2.jsonl" $options
[ "$(lines restored m2.jsonl)" = 0 ] && [ "$(lines skipped m2.jsonl)" = 4 ] || fail "the rerun restored files again"
[ "$(ls -l --time-style=full-iso "$scratch/out/a.png")" = "$before" ] || fail "the rerun touched an output"
cp "$scratch/out/a.png" "$scratch/a-before.png"
"$cli" restore "$in/a.png" --out-dir "$scratch/out" --overwrite --manifest "$scratch/m3.jsonl" $options || fail "--overwrite"
[ "$(lines restored m3.jsonl)" = 1 ] && cmp -s "$scratch/a-before.png" "$scratch/out/a.png" || fail "--overwrite did not restore the same"

# An output folder that cannot be made.
touch "$scratch/blocked"
"$cli" restore "$in/a.png" --out-dir "$scratch/blocked/out" $options 2> "$scratch/err"
[ $? = 65 ] && grep -q "in the way" "$scratch/err" || fail "a blocked output folder: $(cat "$scratch/err")"

# A model that does not load stops the batch at once (exit 69), before any file.
"$cli" restore "$in" --out-dir "$scratch/no-model" --model "$scratch/nowhere" --quiet 2> /dev/null
[ $? = 69 ] && [ ! -e "$scratch/no-model" ] || fail "a missing model did not stop the batch with exit 69"

# Ctrl-C mid-batch: exit 130, finished outputs complete, no partial file, the manifest says where it stopped.
mkdir -p "$scratch/many"
for i in 1 2 3 4 5 6; do cp examples/images/noisy.png "$scratch/many/$i.png"; done
"$cli" restore "$scratch/many" --out-dir "$scratch/many-out" --manifest "$scratch/m4.jsonl" --task deblur \
    --start inversion --gamma 0.5 --quiet --jobs 1 &
pid=$!
# Interrupted once the first file is restored (however long a loaded machine takes for it), while the others wait.
for _ in $(seq 1 6000); do [ "$(lines restored m4.jsonl 2> /dev/null)" -ge 1 ] 2> /dev/null && break; sleep 0.1; done
kill -INT $pid
wait $pid
code=$?
[ $code = 130 ] || fail "Ctrl-C mid-batch exits $code, expected 130"
[ "$(lines restored m4.jsonl)" -ge 1 ] && [ "$(lines restored m4.jsonl)" -lt 6 ] || fail "Ctrl-C: $(lines restored m4.jsonl) restored"
[ -z "$(find "$scratch/many-out" -name '*partial*')" ] || fail "Ctrl-C left a partial file"
for f in "$scratch"/many-out/*.png; do
    [ "$(vipsheader -f width "$f")" = 214 ] || fail "Ctrl-C left an incomplete $f"
done
echo "cli batch: folders walked, 4 bad entries failed and 3 ignored without stopping the batch, outputs equal single" \
    "restores with their seeds, reruns resume, Ctrl-C keeps finished outputs ($(lines restored m4.jsonl) of 6) and leaves no partial file"
