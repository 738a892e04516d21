#!/bin/sh
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The DreamClean authors
#
# The CLI's part of the hostile probe (docs/reliability.md): an unbounded --threads, an output too large for the
# memory there is, and a $DREAMCLEAN_MODEL that names no model are each an exit status with a message, never a crash
# (Swift's abort is exit 134, a segfault 139) and never another model.
#   sh Tests/cli/test_hostile.sh CLI SCRATCH
set -u
cli=$1
scratch=$2
rm -rf "$scratch" && mkdir -p "$scratch"
fail() { echo "cli hostile: $*"; exit 1; }
expect() {  # expect CODE TEXT COMMAND...: the exit code, and TEXT in what it printed
    code=$1 text=$2
    shift 2
    "$@" > "$scratch/out" 2>&1
    got=$?
    [ $got = "$code" ] || fail "$*: exit $got, expected $code ($(tail -c 400 "$scratch/out"))"
    grep -q -- "$text" "$scratch/out" || fail "$*: no '$text' in: $(tail -c 400 "$scratch/out")"
}

in=examples/images/noisy.png
expect 64 "out of range" "$cli" restore "$in" "$scratch/a.png" --threads 1000000 --quiet
expect 64 "out of range" "$cli" restore "$in" "$scratch/a.png" --threads=-2 --quiet
# A x16 upscale of a 2048x2048 image wants a 12.9 GB float output: under a 6 GB address-space limit that is an
# error before any work (the CLI once allocated it as a Swift array, which aborts).
vips black "$scratch/big.png" 2048 2048 --bands 3
(ulimit -v 6000000; expect 65 "memory" "$cli" restore "$scratch/big.png" "$scratch/huge.png" --task sr --scale 16 --quiet) || exit 1
[ ! -e "$scratch/huge.png" ] || fail "x16: an output was written"
DREAMCLEAN_MODEL=/nonexistent/model expect 69 "DREAMCLEAN_MODEL" "$cli" restore "$in" "$scratch/b.png" --quiet
[ ! -e "$scratch/b.png" ] || fail "a wrong DREAMCLEAN_MODEL still restored"
echo "cli hostile: --threads bounded, a huge output refused (exit 65), a wrong \$DREAMCLEAN_MODEL refused (exit 69)"
