# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The DreamClean authors
"""`make bench-batch`: 100 small photos (256x256 crops of an upscaled examples/images/noisy.png), fast preset, restored
by 100 separate CLI calls and by the batch mode with --jobs 1 and --jobs 2; prints each median over --runs and the
ratios. Pause anything else running first: these are wall-clock times on a shared machine."""
import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))


def photos(folder, count, size):
    source = Image.open(os.path.join(HERE, "..", "examples", "images", "noisy.png")).convert("RGB")
    big = np.asarray(source.resize((source.width * 3, source.height * 3), Image.BICUBIC))
    rng = np.random.default_rng(1)
    for i in range(count):
        y, x = rng.integers(0, big.shape[0] - size), rng.integers(0, big.shape[1] - size)
        Image.fromarray(big[y:y + size, x:x + size]).save(os.path.join(folder, f"{i:03d}.png"))


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--cli", default=os.path.join(HERE, "..", ".build", "release", "dreamclean"))
    p.add_argument("--count", type=int, default=100)
    p.add_argument("--size", type=int, default=256)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--ray", action="store_true", help="also dreamclean.ray on the cluster at $RAY_ADDRESS (2 actors x 1 CPU)")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        inputs = os.path.join(tmp, "in")
        os.makedirs(inputs)
        photos(inputs, args.count, args.size)
        names = sorted(os.listdir(inputs))

        def separate():
            out = os.path.join(tmp, "separate")
            os.makedirs(out, exist_ok=True)
            for name in names:
                subprocess.run([args.cli, "restore", os.path.join(inputs, name), os.path.join(out, name), "--preset", "fast",
                                "--quiet"], check=True)

        def batch(jobs):
            out = os.path.join(tmp, f"batch{jobs}")
            shutil.rmtree(out, ignore_errors=True)
            subprocess.run([args.cli, "restore", inputs, "--out-dir", out, "--preset", "fast", "--quiet", "--jobs", str(jobs)],
                           check=True)

        runs = {"100 separate calls": separate, "batch --jobs 1": lambda: batch(1), "batch --jobs 2": lambda: batch(2)}
        if args.ray:
            import sys
            import ray
            sys.path.insert(0, os.path.join(HERE, "..", "Hosts", "python"))
            import dreamclean.ray as dray
            ray.init(address=os.environ["RAY_ADDRESS"], log_to_driver=False)

            def on_ray():
                out = os.path.join(tmp, "ray")
                shutil.rmtree(out, ignore_errors=True)
                records = dray.restore_paths([inputs], out, params={"preset": "fast"}, actors=2, cpus_per_actor=1)
                assert all(r["status"] == "restored" for r in records), records
            runs["Ray Data, 2 actors x 1 CPU"] = on_ray
        medians = {}
        for name, run in runs.items():
            seconds = []
            for _ in range(args.runs):
                start = time.perf_counter()
                run()
                seconds.append(time.perf_counter() - start)
            medians[name] = statistics.median(seconds)
            print(f"{name}: median {medians[name]:.1f} s of {args.runs} ({', '.join(f'{s:.1f}' for s in seconds)})", flush=True)
        base = medians["100 separate calls"]
        for name in ("batch --jobs 1", "batch --jobs 2"):
            print(f"{name}: {base / medians[name]:.2f}x faster than separate calls")
        if args.ray:
            print(f"Ray Data: {medians['Ray Data, 2 actors x 1 CPU'] / medians['batch --jobs 2']:.2f}x the time of batch --jobs 2"
                  " (cluster start excluded)")


if __name__ == "__main__":
    main()
