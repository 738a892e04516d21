# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The DreamClean authors
"""The sweep behind the JPEG rows in Sources/DreamClean/Tasks/JPEGTask.swift, in PyTorch (the library's pipeline
written again: a chroma guided filter, the image taken as noisy at its noise level plus an extra level, four DDIM
steps, optionally the guided filter again), on `make quality`'s development crops at JPEG qualities 10 to 75.

    python3 Models/sweep_jpeg.py [--model Models/default] > Models/default/jpeg-sweep.txt
    python3 Models/sweep_jpeg.py --busy --per-set 8 > Models/default/jpeg-busy-sweep.txt

Each line: quality, the guided filter radius before sampling, the extra noise (in /255), mean PSNR without and with
the guided filter (radius 2) after sampling. `--busy` sweeps the second run instead (BusyRegionBlend): the shipped
single run blended with one at k sqrt(DC step) / 255 by the luma activity ramp. The library's own figures come from
`make quality` (Models/quality.py).
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


def busy_weights(jpeg, quiet, busy, radius=4):
    """BusyRegionBlend.weights: mean |dY/dy| + |dY/dx| (forward differences, luma on [0, 1]) over a (2r+1)^2 window,
    mirrored at the borders, mapped linearly from `quiet` (0) to `busy` (1)."""
    y = jpeg @ YCC[0]
    activity = np.zeros_like(y)
    activity[:-1] += np.abs(np.diff(y, axis=0))
    activity[:, :-1] += np.abs(np.diff(y, axis=1))
    mean = uniform_filter(activity, 2 * radius + 1, mode="reflect")
    return np.clip((mean - quiet) / (busy - quiet), 0, 1)[..., None]


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
    p.add_argument("--busy", action="store_true", help="sweep the busy-region run instead")
    args = p.parse_args()
    torch.set_num_threads(1)
    sampler = Sampler(args.model)
    images = Q.load_images(args.per_set, args.crop)
    print(f"# {len(images)} crops ({', '.join(Q.SETS)}), {args.crop}px; model {args.model}")
    if args.busy:
        print("# quality | DC step | busy level k (k sqrt(step) / 255) | ramp | PSNR (one run: the shipped fast preset)")
    else:
        print("# quality | DC step | radius before | extra /255 | PSNR | PSNR with radius 2 after")
    for quality, step in [(10, 80), (20, 40), (30, 27), (50, 16), (75, 8)]:
        degraded = [(Q.jpeg(x, quality), x) for _, x in images]
        print(f"{quality} | {step} | input | - | {np.mean([Q.psnr(y, x) for y, x in degraded]):.2f}" + ("" if args.busy else " | -"),
              flush=True)
        if args.busy:
            sweep_busy(sampler, degraded, quality, step)
            continue
        for radius in sorted({0, 1, 2, round(step / 20)}):
            for extra in [0, 4, 8, 12, 16]:
                plain, after = [], []
                for y, x in degraded:
                    out = sampler.noisy_start(guided_chroma(y, radius), 2 * np.hypot(noise_sigma(y), extra / 255))
                    plain.append(Q.psnr(out, x))
                    after.append(Q.psnr(guided_chroma(out, 2), x))
                print(f"{quality} | {step} | {radius} | {extra} | {np.mean(plain):.2f} | {np.mean(after):.2f}", flush=True)


def sweep_busy(sampler, degraded, quality, step):
    """The shipped run (JPEGTask's rows) blended with a busier one, per busy level and activity ramp."""
    factors, ramps = [3.2, 3.5, 3.8, 4.2], [(0.05, 0.15), (0.06, 0.2)]
    scores = {"one run": []}
    for y, x in degraded:
        start = guided_chroma(y, round(step / 20))
        after = (lambda out: guided_chroma(out, 2)) if step >= 20 else (lambda out: out)  # noqa: E731
        calm = after(sampler.noisy_start(start, 2 * np.hypot(noise_sigma(y), min(step / 2, 16) / 255)))
        scores["one run"].append(Q.psnr(calm, x))
        for k in factors:
            busy = after(sampler.noisy_start(start, 2 * np.hypot(noise_sigma(y), k * np.sqrt(step) / 255)))
            for quiet, loud in ramps:
                w = busy_weights(y, quiet, loud)
                scores.setdefault((k, quiet, loud), []).append(Q.psnr((1 - w) * calm + w * busy, x))
    for key, values in scores.items():
        label = "one run | -" if key == "one run" else f"{key[0]} | {key[1]}-{key[2]}"
        print(f"{quality} | {step} | {label} | {np.mean(values):.2f}", flush=True)


if __name__ == "__main__":
    main()
