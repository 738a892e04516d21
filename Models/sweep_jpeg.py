# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The DreamClean authors
"""The sweep behind the JPEG settings in Sources/DreamClean/RestoreTask.swift, in PyTorch (the library's pipeline
written again: a chroma guided filter, the image taken as noisy at its noise level plus an extra level, four DDIM
steps, optionally the guided filter again), on `make quality`'s development crops at JPEG qualities 10 to 75.

    python3 Models/sweep_jpeg.py [--model Models/default] > Models/default/jpeg-sweep.txt

Each line: quality, the guided filter radius before sampling, the extra noise (in /255), mean PSNR without and with
the guided filter (radius 2) after sampling. The library's own figures come from `make quality` (Models/quality.py).
"""
from __future__ import annotations

import argparse
import os
import sys

import numpy as np
import torch
from scipy.ndimage import uniform_filter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import quality as Q  # noqa: E402
from dreamclean_models.modelfile import load_model  # noqa: E402

YCC = np.array([[0.299, 0.587, 0.114], [-0.168736, -0.331264, 0.5], [0.5, -0.418688, -0.081312]])


def guided_chroma(rgb, radius, eps=1e-4):
    """He et al.'s guided filter on Cb and Cr with the luma as guide (eps in [0, 1] units; the library's 4e-4 on [-1, 1])."""
    if radius == 0:
        return rgb
    c = rgb @ YCC.T
    box = lambda a: uniform_filter(a, 2 * radius + 1, mode="reflect")  # noqa: E731
    guide = c[..., 0]
    mean_guide = box(guide)
    variance = box(guide * guide) - mean_guide ** 2
    for k in (1, 2):
        mean_p = box(c[..., k])
        a = (box(guide * c[..., k]) - mean_guide * mean_p) / (variance + eps)
        c[..., k] = box(a) * guide + box(mean_p - a * mean_guide)
    return np.clip(c @ np.linalg.inv(YCC).T, 0, 1)


def noise_sigma(rgb):
    """The library's estimate (NoiseEstimator): per channel, median |diagonal Haar| / 0.6745, averaged; [0, 1] units."""
    out = []
    for ch in range(3):
        g = rgb[..., ch]
        h, w = g.shape[0] // 2 * 2, g.shape[1] // 2 * 2
        d = np.abs(g[0:h:2, 0:w:2] - g[0:h:2, 1:w:2] - g[1:h:2, 0:w:2] + g[1:h:2, 1:w:2]) / 2
        out.append(np.median(d) / 0.6745)
    return float(np.mean(out))


class Sampler:
    def __init__(self, folder):
        self.model, _ = load_model(folder)
        self.abar = np.cumprod(1 - np.linspace(1e-4, 0.02, 1000))

    def alpha(self, t):
        return 1.0 if t < 0 else self.abar[t]

    @torch.no_grad()
    def noisy_start(self, rgb, sigma, steps=4):
        """x_tau = sqrt(abar_tau) * image at the step whose sigma_t matches `sigma` ([-1, 1] units), then DDIM to 0."""
        tau = int(np.argmin(np.abs(np.sqrt((1 - self.abar) / self.abar) - sigma)))
        ts = sorted({int(round(i * tau / (steps - 1))) for i in range(steps)})
        x = torch.from_numpy(rgb.transpose(2, 0, 1)[None].copy()).float() * 2 - 1
        x = np.sqrt(self.alpha(tau)) * x
        for t, prev in reversed(list(zip(ts, [-1] + ts[:-1]))):
            e = self.model(x, torch.full((1,), t, dtype=torch.long))
            x0 = ((x - np.sqrt(1 - self.alpha(t)) * e) / np.sqrt(self.alpha(t))).clamp(-1, 1)
            x = np.sqrt(self.alpha(prev)) * x0 + np.sqrt(1 - self.alpha(prev)) * e
        return np.clip((x[0].numpy().transpose(1, 2, 0) + 1) / 2, 0, 1)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "default"))
    p.add_argument("--per-set", type=int, default=2)
    p.add_argument("--crop", type=int, default=128)
    args = p.parse_args()
    torch.set_num_threads(1)
    sampler = Sampler(args.model)
    images = Q.load_images(args.per_set, args.crop)
    print(f"# {len(images)} crops ({', '.join(Q.SETS)}), {args.crop}px; model {args.model}")
    print("# quality | DC step | radius before | extra /255 | PSNR | PSNR with radius 2 after")
    for quality, step in [(10, 80), (20, 40), (30, 27), (50, 16), (75, 8)]:
        degraded = [(Q.jpeg(x, quality), x) for _, x in images]
        print(f"{quality} | {step} | input | - | {np.mean([Q.psnr(y, x) for y, x in degraded]):.2f} | -", flush=True)
        for radius in sorted({0, 1, 2, round(step / 20)}):
            for extra in [0, 4, 8, 12, 16]:
                plain, after = [], []
                for y, x in degraded:
                    out = sampler.noisy_start(guided_chroma(y, radius), 2 * np.hypot(noise_sigma(y), extra / 255))
                    plain.append(Q.psnr(out, x))
                    after.append(Q.psnr(guided_chroma(out, 2), x))
                print(f"{quality} | {step} | {radius} | {extra} | {np.mean(plain):.2f} | {np.mean(after):.2f}", flush=True)


if __name__ == "__main__":
    main()
