# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The DreamClean authors
"""Converts a guided-diffusion checkpoint (.pt state dict) to a DreamClean model folder.

    python3 -m dreamclean_models.convert_guided_diffusion 256x256_diffusion_uncond.pt Models/imagenet256 \
        --preset imagenet256-uncond [--dtype f16]

guided-diffusion's keys are already ours; the conversion checks every key and shape by loading the weights strictly
into the reference UNet, then writes model.safetensors and config.json.
"""
import argparse
import json

import torch

from .adm import UNet, UNetConfig
from .configs import imagenet256_uncond
from .modelfile import save_model, add_about_arguments, about_from, tiling_from

PRESETS = {"imagenet256-uncond": imagenet256_uncond}


def convert(state_dict, cfg: UNetConfig, out_folder, dtype=torch.float32, source="", about=None):
    state_dict = {k.removeprefix("module."): v for k, v in state_dict.items()}
    model = UNet(cfg)
    model.load_state_dict(state_dict, strict=True)  # raises naming every missing or unexpected key
    learn_sigma = cfg.out_channels == 2 * cfg.in_channels
    return save_model(out_folder, model.state_dict(), cfg, architecture="adm", learn_sigma=learn_sigma, dtype=dtype,
                      source=source, about=about)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("checkpoint")
    p.add_argument("out_folder")
    p.add_argument("--preset", choices=sorted(PRESETS), help="architecture of a released checkpoint")
    p.add_argument("--config-json", help="a UNetConfig as JSON, for other checkpoints")
    p.add_argument("--dtype", choices=["f32", "f16"], default="f32")
    add_about_arguments(p)
    args = p.parse_args()
    if bool(args.preset) == bool(args.config_json):
        p.error("give exactly one of --preset and --config-json")
    cfg = PRESETS[args.preset]() if args.preset else UNetConfig.from_dict(json.loads(args.config_json))
    state = torch.load(args.checkpoint, map_location="cpu", weights_only=True)
    convert(state, cfg, args.out_folder, torch.float16 if args.dtype == "f16" else torch.float32,
            source=f"guided-diffusion checkpoint {args.checkpoint}", about=about_from(args), tiling=tiling_from(args))
    print(f"wrote {args.out_folder}")


if __name__ == "__main__":
    main()
