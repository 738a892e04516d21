# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The DreamClean authors
"""Calibrates a pixel model for int8 convolutions and writes the ranges into its config.json ("int8").

    python3 Models/calibrate_int8.py Models/default                      # ../shared/datasets/train
    python3 Models/calibrate_int8.py Models/default --quantile 0.9999 --batches 16

Each convolution's input is quantized symmetrically to [-127, 127] for the size its "input range" gives (larger inputs
saturate). The range is measured on what the network sees while it restores: random crops of the training photographs
(never test/), half of them with white noise up to sigma 0.2 of the [-1, 1] range (noisy photos), diffused to random
timesteps of [0, --max-t) (the depths DDIM inversion and the VPS steps visit). Per batch, the --quantile of |input| is
taken; the range is the largest of these over the batches, so outliers beyond the quantile of the worst batch saturate.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "training"))
from dreamclean_models.modelfile import load_model, write_config  # noqa: E402
from train import load_photos, sample_batch  # noqa: E402

TRAIN = os.path.join(HERE, "..", "..", "shared", "datasets", "train")
# torch.quantile takes at most 2^24 elements: larger inputs are subsampled with a fixed stride.
QUANTILE_ELEMENTS = 1 << 24


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("model", help="model folder (pixel models: adm or ddpm)")
    p.add_argument("--train", default=TRAIN, help="training photographs")
    p.add_argument("--batches", type=int, default=16)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--crop", type=int, default=128)
    p.add_argument("--max-t", type=int, default=800)
    p.add_argument("--quantile", type=float, default=0.9999)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--keep", default=None,
                   help="convolutions left out of int8, comma-separated names (a name ending in '.': every one under it) (default: the first, which reads the "
                        "image, the finest level's output blocks and the last, which write the predicted noise)")
    p.add_argument("--dry-run", action="store_true", help="print the ranges, leave config.json as it is")
    return p.parse_args()


def input_quantile(x: torch.Tensor, q: float) -> float:
    flat = x.detach().abs().flatten()
    if flat.numel() > QUANTILE_ELEMENTS:
        flat = flat[:: (flat.numel() + QUANTILE_ELEMENTS - 1) // QUANTILE_ELEMENTS]
    return float(torch.quantile(flat, q))


def finest_convolutions(config) -> list[str]:
    """The default --keep: the first convolution, every one in the finest level's output blocks, and the last: on the
    default model's quality rows they cost int8 the most and gain it the least (16 channels: bf16 is nearly as fast;
    docs/performance.md, "int8 convolutions")."""
    unet = config["unet"]
    blocks = len(unet["level_channels"]) * (unet["num_res_blocks"] + 1)
    finest = range(blocks - unet["num_res_blocks"] - 1, blocks)
    return ["input_blocks.0.0", "out.2"] + [f"output_blocks.{k}." for k in finest]


def main():
    args = parse_args()
    model, config = load_model(args.model)
    if config.get("architecture") == "sd":
        sys.exit("calibrate_int8: latent models are not calibrated (int8 covers the pixel models' convolutions)")
    keep = args.keep.split(",") if args.keep is not None else finest_convolutions(config)
    kept = lambda name: any(name == k or (k.endswith(".") and name.startswith(k)) for k in keep if k)  # noqa: E731
    ranges: dict[str, float] = {}
    hooks = []
    for name, module in model.named_modules():
        if isinstance(module, (nn.Conv2d, nn.Conv1d)) and not kept(name):
            def record(_module, inputs, _output, name=name):
                ranges[name] = max(ranges.get(name, 0.0), input_quantile(inputs[0], args.quantile))
            hooks.append(module.register_forward_hook(record))
    betas = torch.linspace(config["schedule"]["beta_start"], config["schedule"]["beta_end"], config["schedule"]["timesteps"],
                           dtype=torch.float64)
    abar = torch.cumprod(1 - betas, 0).float()
    rng = random.Random(args.seed)
    generator = torch.Generator().manual_seed(args.seed)
    photos = load_photos(args.train)
    with torch.no_grad():
        for b in range(args.batches):
            x0 = sample_batch(photos, args.batch, args.crop, rng)
            noisy = torch.arange(args.batch) % 2 == 1
            sigma = torch.rand(args.batch, generator=generator) * 0.2 * noisy
            x0 = x0 + sigma[:, None, None, None] * torch.randn(x0.shape, generator=generator)
            t = torch.randint(0, args.max_t, (args.batch,), generator=generator)
            a = abar[t][:, None, None, None]
            xt = a.sqrt() * x0 + (1 - a).sqrt() * torch.randn(x0.shape, generator=generator)
            model(xt, t.float())
            print(f"batch {b + 1} of {args.batches}", file=sys.stderr, flush=True)
    for hook in hooks:
        hook.remove()
    method = (f"Models/calibrate_int8.py: the {args.quantile} quantile of |input|, the largest over {args.batches} batches of "
              f"{args.batch} crops of {args.crop} px from {os.path.relpath(args.train, os.path.join(HERE, '..'))} "
              "(half with white noise up to sigma 0.2), "
              f"diffused to t in [0, {args.max_t}), seed {args.seed}; not in int8: {', '.join(keep) or 'none'}")
    section = {"method": method, "input_ranges": {k: float(f"{v:.4g}") for k, v in sorted(ranges.items())}}
    if args.dry_run:
        print(json.dumps(section, indent=2))
        return
    config["int8"] = section
    write_config(args.model, config)
    print(f"calibrate_int8: {len(ranges)} convolutions calibrated into {os.path.join(args.model, 'config.json')}")


if __name__ == "__main__":
    main()
