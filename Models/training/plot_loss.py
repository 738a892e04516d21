# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The DreamClean authors
"""Plots the training loss log (runs/default/loss.csv: step, samples, mean loss over 50 steps, seconds) to a PNG.

    python3 Models/training/plot_loss.py [--log Models/training/runs/default/loss.csv] [--out Models/default/loss.png]
"""
import argparse
import csv
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--log", default=os.path.join(HERE, "runs", "default", "loss.csv"))
    p.add_argument("--out", default=os.path.join(HERE, "..", "default", "loss.png"))
    args = p.parse_args()
    with open(args.log) as f:
        rows = [(int(r[1]), float(r[2])) for r in csv.reader(f)]
    samples, losses = zip(*rows)
    fig, ax = plt.subplots(figsize=(6, 3.5), dpi=100)
    ax.plot(samples, losses)
    ax.set_xlabel("training samples seen (48x48 crops)")
    ax.set_ylabel("eps MSE (mean of 50 steps)")
    ax.set_yscale("log")
    ax.grid(True, alpha=0.3)
    ax.set_title("DreamClean default prior: training loss")
    fig.tight_layout()
    fig.savefig(args.out)
    print(f"wrote {args.out} ({len(rows)} points)")


if __name__ == "__main__":
    main()
