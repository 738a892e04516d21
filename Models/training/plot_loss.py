# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The DreamClean authors
"""Plots training loss logs (loss.csv: step, samples, mean loss over 50 steps, seconds) to a PNG, one curve per log.

    python3 Models/training/plot_loss.py [--log Models/training/runs/default/loss.csv[=LABEL] ...] [--out Models/default/loss.png]
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
    p.add_argument("--log", action="append", help="a loss.csv, optionally =LABEL; repeat to compare runs")
    p.add_argument("--out", default=os.path.join(HERE, "..", "default", "loss.png"))
    args = p.parse_args()
    fig, ax = plt.subplots(figsize=(6, 3.5), dpi=100)
    total = 0
    for entry in args.log or [os.path.join(HERE, "runs", "default", "loss.csv")]:
        path, _, label = entry.partition("=")
        with open(path) as f:
            rows = [(int(r[1]), float(r[2])) for r in csv.reader(f)]
        samples, losses = zip(*rows)
        ax.plot(samples, losses, label=label or None)
        total += len(rows)
    if any("=" in entry for entry in args.log or []):
        ax.legend()
    ax.set_xlabel("training samples seen (48x48 crops)")
    ax.set_ylabel("eps MSE (mean of 50 steps)")
    ax.set_yscale("log")
    ax.grid(True, alpha=0.3)
    ax.set_title("DreamClean default prior: training loss")
    fig.tight_layout()
    fig.savefig(args.out)
    print(f"wrote {args.out} ({total} points)")


if __name__ == "__main__":
    main()
