# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The DreamClean authors
"""`make bench`, whole restores by the CLI (`dreamclean restore --task blind`), on photos made from the committed
noisy example (a BSDS500 crop, mirrored out to the size asked):

- whole photos (default 4000x3000, 12 MP): the noisy photo and the same saved as a quality-30 JPEG, presets balanced
  and fast, convolutions in f32 and (where the CPU has them) bf16 and int8: wall time, peak resident memory of the CLI,
  megapixels per second;
- under load (default 512x512): idle, and while one busy process (a single-threaded spin loop) shares the machine,
  with the automatic thread count (`--threads 0`, the default: the cores other processes leave idle) and with a team
  fixed at one thread per core (what 0 meant before): medians and the busy / idle ratio.

    python3 Models/bench_restore.py --cli .build/release/dreamclean [--runs 3] [--photo 4000x3000] [--load-size 512]
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLE = os.path.join(HERE, "..", "examples", "images", "noisy.png")  # examples/images/README.md


def mirrored_example(height, width):
    """The noisy example mirrored out to height x width: real noise and texture at any size."""
    x = np.asarray(Image.open(EXAMPLE).convert("RGB"))
    while x.shape[0] < height:
        x = np.concatenate([x, x[::-1]], 0)
    while x.shape[1] < width:
        x = np.concatenate([x, x[:, ::-1]], 1)
    return x[:height, :width]


def restore(cli, src, dst, *options):
    """(seconds, the CLI's peak resident MiB) of one blind restore."""
    start = time.perf_counter()
    process = subprocess.Popen([cli, "restore", src, dst, "--task", "blind", "--quiet", *options])
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    code = process.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait again
    if code:
        sys.exit(f"bench_restore: the CLI failed ({code}) on {src} {' '.join(options)}")
    return seconds, usage.ru_maxrss / 1024


def whole_photo_rows(cli, tmp, height, width):
    photo = mirrored_example(height, width)
    noisy, jpeg = os.path.join(tmp, "photo.png"), os.path.join(tmp, "photo-q30.jpg")
    Image.fromarray(photo).save(noisy)
    Image.fromarray(photo).save(jpeg, quality=30)
    rows = []
    precisions = ("f32",) + tuple(p for p in ("bf16", "int8") if native(cli, p))
    for name, src in (("noisy photo", noisy), ("q30 JPEG", jpeg)):
        for preset in ("balanced", "fast"):
            for precision in precisions:
                flags = ["--preset", preset] + {"f32": ["--f32"], "bf16": [], "int8": ["--int8"]}[precision]
                seconds, peak = restore(cli, src, os.path.join(tmp, "out.png"), *flags)
                rows.append((name, preset, precision, seconds, peak, height * width / 1e6 / seconds))
                print(f"done: {name}, {preset}, {precision}: {seconds:.1f} s", file=sys.stderr, flush=True)
    print(f"\n{width}x{height} ({height * width / 1e6:.1f} MP), `dreamclean restore --task blind`, one run each\n")
    print("| input | preset | convolutions | wall s | peak MiB | MP/s |")
    print("|---|---|---|---|---|---|")
    for name, preset, precision, seconds, peak, rate in rows:
        print(f"| {name} | {preset} | {precision} | {seconds:.1f} | {peak:.0f} | {rate:.3f} |")


def native(cli, precision):
    """Whether this CPU runs the library's bf16 or int8 convolutions with the default model (the bench program next
    to the CLI says)."""
    bench = os.path.join(os.path.dirname(cli), "dreamclean-bench")
    model = os.path.join(HERE, "default")
    out = subprocess.run([bench, "--model", model, "--height", "32", "--width", "32", "--runs", "1", "--precision", precision],
                         capture_output=True, text=True)
    return out.returncode == 0 and f'"precision":"{precision}"' in out.stdout


def load_rows(cli, tmp, size, runs):
    cores = len(os.sched_getaffinity(0))
    src, dst = os.path.join(tmp, "load.png"), os.path.join(tmp, "out.png")
    Image.fromarray(mirrored_example(size, size)).save(src)
    restore(cli, src, dst)  # warms the page cache and the model file
    rows = []
    for threads, label in ((0, "automatic (0, the default)"), (cores, f"fixed at {cores} (one per core)")):
        idle = [restore(cli, src, dst, "--threads", str(threads))[0] for _ in range(runs)]
        busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
        try:
            time.sleep(0.5)
            loaded = [restore(cli, src, dst, "--threads", str(threads))[0] for _ in range(runs)]
        finally:
            busy.kill()
            busy.wait()
        rows.append((label, statistics.median(idle), statistics.median(loaded)))
        print(f"done: threads {label}", file=sys.stderr, flush=True)
    print(f"\n{size}x{size}, `dreamclean restore --task blind`, {cores} cores, idle and beside one busy process, "
          f"median of {runs}\n")
    print("| threads | idle s | one busy process s | busy / idle |")
    print("|---|---|---|---|")
    for label, idle, loaded in rows:
        print(f"| {label} | {idle:.2f} | {loaded:.2f} | {loaded / idle:.2f}x |")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cli", default=os.path.join(HERE, "..", ".build", "release", "dreamclean"))
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--photo", default="4000x3000", help="whole-photo rows: WIDTHxHEIGHT ('' for none)")
    p.add_argument("--load-size", type=int, default=512, help="the under-load rows' square size (0 for none)")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.photo:
            width, height = (int(v) for v in args.photo.split("x"))
            whole_photo_rows(args.cli, tmp, height, width)
        if args.load_size:
            load_rows(args.cli, tmp, args.load_size, args.runs)


if __name__ == "__main__":
    main()
