# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The DreamClean authors
"""Our model format: a folder with `model.safetensors` (keys as in adm.py) and `config.json` (schema below).

config.json:
  format: "dreamclean-model", format_version: 1
  architecture: "adm" or "ddpm" (both built by the same generic UNet; "ddpm" restricts the options to that family), or
                "sd" (Stable Diffusion's latent UNet: the same UNet with transformer blocks; convert_sd.py documents its
                extra fields: unet.transformer, unet.added_embedding, vae, conditioning, and prediction "v")
  unet: the UNetConfig fields
  schedule: {kind: linear | cosine | scaled_linear, beta_start, beta_end, timesteps}
  prediction: "eps"; learn_sigma: bool (then out_channels = 2 * in_channels and the first half is eps)
  value_range: [-1, 1]
  weights: file name; weights_sha256: hex digest of that file
  source: free text (where the weights came from); training: optional {steps, samples_seen}
  about: optional, what hosts show users: {name, license, terms, training_data, card (a file name in the folder)}
  tiling: optional, in pixels: {training_size (the side of the training crops: the library's tiles follow it),
          receptive_field (how far an output pixel sees, when less than the convolutions reach)}
"""
from __future__ import annotations

import hashlib
import json
import os

import torch
from safetensors.torch import save_file, load_file

from .adm import UNet, UNetConfig

LINEAR_SCHEDULE = {"kind": "linear", "beta_start": 1e-4, "beta_end": 0.02, "timesteps": 1000}


def sha256_of(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def save_model(folder, state_dict, cfg: UNetConfig, architecture="adm", learn_sigma=False, dtype=torch.float32,
               schedule=LINEAR_SCHEDULE, source="", training=None, about=None, tiling=None):
    """Writes model.safetensors (tensors cast to dtype, contiguous) and config.json; returns the config dict."""
    os.makedirs(folder, exist_ok=True)
    digest = write_weights(folder, "model.safetensors", state_dict, dtype)
    config = {
        "format": "dreamclean-model", "format_version": 1,
        "architecture": architecture,
        "unet": cfg.to_dict(),
        "schedule": dict(schedule),
        "prediction": "eps", "learn_sigma": learn_sigma,
        "value_range": [-1.0, 1.0],
        "weights": "model.safetensors", "weights_sha256": digest,
        "source": source,
    }
    if training is not None:
        config["training"] = training
    if about is not None:
        config["about"] = about
    if tiling is not None:
        config["tiling"] = tiling
    write_config(folder, config)
    return config


def write_weights(folder, name, state_dict, dtype=torch.float32):
    """Writes `folder/name` (tensors cast to dtype, contiguous; atomically) and returns its SHA-256."""
    tensors = {k: v.detach().to(dtype).contiguous().cpu() for k, v in state_dict.items()}
    path = os.path.join(folder, name)
    save_file(tensors, path + ".tmp")
    os.replace(path + ".tmp", path)
    return sha256_of(path)


def write_config(folder, config):
    """Writes `folder/config.json` last, so that a folder with one holds everything it names."""
    with open(os.path.join(folder, "config.json.tmp"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    os.replace(os.path.join(folder, "config.json.tmp"), os.path.join(folder, "config.json"))


def add_about_arguments(parser):
    """The converters' --name, --license, --terms, --training-data: what hosts show users about a converted model;
    --training-size: the resolution it was trained at (the library's tiles follow it)."""
    parser.add_argument("--training-size", type=int, help="the side in pixels of the images it was trained on (e.g. 256)")
    parser.add_argument("--name", help="the model's name as users see it (default: the output folder's name)")
    parser.add_argument("--license", help="the checkpoint's licence, as its publisher states it")
    parser.add_argument("--terms", help="what the licence allows, in a sentence")
    parser.add_argument("--training-data", help="what the checkpoint was trained on")


def about_from(args):
    """config.json's "about" from those arguments; what was not given stays out (hosts then say it is not stated)."""
    about = {"name": args.name, "license": args.license, "terms": args.terms, "training_data": args.training_data}
    about = {k: v for k, v in about.items() if v}
    return about or None


def tiling_from(args):
    """config.json's "tiling" from --training-size (None when not given: the library then tiles at 512)."""
    return {"training_size": args.training_size} if args.training_size else None


def load_model(folder, device="cpu"):
    """Returns (UNet in eval mode with fp32 weights, config dict)."""
    with open(os.path.join(folder, "config.json")) as f:
        config = json.load(f)
    cfg = UNetConfig.from_dict(config["unet"])
    model = UNet(cfg)
    state = {k: v.float() for k, v in load_file(os.path.join(folder, config.get("weights", "model.safetensors"))).items()}
    model.load_state_dict(state, strict=True)
    return model.to(device).eval(), config


def randomize(model, seed):
    """Non-zero weights everywhere (the reference zero-initialises output layers, which would hide errors)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "norm" in name or ".in_layers.0." in name or ".out_layers.0." in name or name.startswith("out.0"):
                p.copy_((1.0 if name.endswith("weight") else 0.0) + 0.1 * torch.randn(p.shape, generator=g))
            elif name.endswith("bias"):
                p.copy_(0.1 * torch.randn(p.shape, generator=g))
            else:
                fan_in = p[0].numel()
                p.copy_(torch.randn(p.shape, generator=g) / fan_in ** 0.5)
