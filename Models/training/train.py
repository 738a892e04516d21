# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The DreamClean authors
"""Trains DreamClean's default prior: an eps-prediction ADM UNet on random crops of the training photographs.

    nice -n 19 python3 Models/training/train.py --minutes 60          # resumes where it stopped
    python3 Models/training/train.py --export Models/default          # EMA weights -> fp16 model folder

Resumes from runs/<name>/checkpoint.pt when present, else from the exported model folder (weights and step count in its
config.json), else starts fresh. Photos are downscaled (antialiased, random factor) before cropping so that their JPEG
blocks and sensor noise shrink below what the prior learns as clean.
"""
from __future__ import annotations

import argparse
import copy
import json
import math
import os
import random
import shutil
import signal
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from dreamclean_models.adm import UNet, UNetConfig  # noqa: E402
from dreamclean_models.modelfile import save_model, LINEAR_SCHEDULE  # noqa: E402
from safetensors.torch import load_file  # noqa: E402

# The architectures tried for the CPU default (GFLOP per 256x256 forward, PyTorch's counter). "c32" (58 GFLOP, 5.2 M
# parameters) was shipped through session 3; "c16" halves the two finest levels (21.8 GFLOP, 3.8 M) and is the default
# since session 4: on this 2-core machine, idle, a step (batch 32, 48x48) takes 0.98 s against 2.04 s, the loss at equal
# training time is the same or lower (c16 0.058 at step 800, c32 0.060 at step 400), and only c16 comes near the 512x512
# in 30 s target (Models/default/MODEL_CARD.md, "Architecture").
ARCHITECTURES = {
    "c32": UNetConfig(base_channels=32, level_channels=[32, 64, 96, 128], time_embed_dim=128, num_res_blocks=2,
                      attention_ds=[], middle_attention=False, use_scale_shift_norm=True, resblock_updown=False),
    "c16": UNetConfig(base_channels=32, level_channels=[16, 32, 64, 128], time_embed_dim=128, num_res_blocks=2,
                      attention_ds=[], middle_attention=False, use_scale_shift_norm=True, resblock_updown=False,
                      norm_groups=16),
    # The wider prior trained on a GPU (`Models/training/gpu_train.sh`, one run of at most 9 minutes on an H200): 1.5
    # times c32's channels at every level (about 2.25 times its convolution work), slower on the CPU than c16 (not yet
    # measured), so an option beside the default, not its replacement.
    "w48": UNetConfig(base_channels=48, level_channels=[48, 96, 144, 192], time_embed_dim=192, num_res_blocks=2,
                      attention_ds=[], middle_attention=False, use_scale_shift_norm=True, resblock_updown=False,
                      norm_groups=16),
}


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default=os.path.join(HERE, "../../../shared/datasets/train"))
    p.add_argument("--run", default=os.path.join(HERE, "runs/default"))
    p.add_argument("--init", default=os.path.join(HERE, "../default"), help="model folder to resume from without a checkpoint")
    p.add_argument("--minutes", type=float, default=60.0)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--crop", type=int, default=48)
    p.add_argument("--lr", type=float, default=5e-4)
    p.add_argument("--ema", type=float, default=0.999)
    p.add_argument("--checkpoint-minutes", type=float, default=5.0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--device", default="cpu")
    p.add_argument("--amp", action="store_true", help="bfloat16 autocast for the forward pass (on cuda)")
    p.add_argument("--photo-scale", type=float, default=1.0,
                   help="the photos under --data are already reduced by this factor (gpu_train.sh packs them at 0.5)")
    p.add_argument("--arch", choices=sorted(ARCHITECTURES), default="c16",
                   help="architecture of a fresh start (a checkpoint or model folder keeps its own)")
    p.add_argument("--focus-t", type=int, default=200,
                   help="70%% of the timesteps are drawn from [0, FOCUS_T); 400 until step 6,540 of the default model "
                        "(its presets start at t = 56 or below, colorize at 299)")
    p.add_argument("--export", metavar="FOLDER", help="export the EMA weights (fp16) to FOLDER and exit")
    return p.parse_args()


def load_photos(root):
    """Every training photo as a uint8 [H, W, 3] array; test/ is never read."""
    photos = []
    for dirpath, _, files in os.walk(root):
        for name in sorted(files):
            if name.lower().endswith((".jpg", ".jpeg", ".png")):
                photos.append(np.asarray(Image.open(os.path.join(dirpath, name)).convert("RGB")))
    if not photos:
        raise SystemExit(f"no photos under {root}")
    return photos


def sample_batch(photos, batch, crop, rng, photo_scale=1.0):
    """Random crops after an antialiased downscale by a random factor in [0.35, 0.75] of the original photo (photos
    already reduced by `photo_scale` are reduced by what is left, at most to their own size), flipped and transposed;
    [-1, 1]."""
    out = torch.empty(batch, 3, crop, crop)
    for i in range(batch):
        img = photos[rng.randrange(len(photos))]
        h, w, _ = img.shape
        factor = min(rng.uniform(0.35, 0.75) / photo_scale, 1.0)
        src = min(int(math.ceil(crop / factor)), h, w)
        y, x = rng.randrange(h - src + 1), rng.randrange(w - src + 1)
        patch = torch.from_numpy(np.ascontiguousarray(img[y:y + src, x:x + src])).permute(2, 0, 1)[None].float() / 255
        patch = F.interpolate(patch, size=(crop, crop), mode="bilinear", antialias=True, align_corners=False)[0]
        if rng.random() < 0.5:
            patch = patch.flip(2)
        if rng.random() < 0.5:
            patch = patch.transpose(1, 2)
        out[i] = patch.clamp(0, 1) * 2 - 1
    return out


def sample_timesteps(batch, rng_t, focus):
    """t in [0, focus) with probability 0.7 (the range restoration uses most), else [0, 1000)."""
    low = torch.randint(0, focus, (batch,), generator=rng_t)
    full = torch.randint(0, 1000, (batch,), generator=rng_t)
    return torch.where(torch.rand(batch, generator=rng_t) < 0.7, low, full)



# What every host shows users about these weights (config.json's "about"; the model card says the same at length).
ABOUT = {
    "name": "DreamClean default prior (c16)",  # the architecture's name is put in by `about`
    "license": "research use only",
    "terms": "The weights inherit the terms of their training data: BSDS500 (research use) and the ImageNet (ILSVRC) "
             "sample (non-commercial research and education). Not for commercial use.",
    "training_data": "399 BSDS500 photographs and 883 ImageNet sample images (shared/datasets/train); no test image",
    "card": "MODEL_CARD.md",
}


def about(arch):
    return {**ABOUT, "name": f"DreamClean {'default' if arch == 'c16' else 'wide'} prior ({arch})"}


class Trainer:
    def __init__(self, args):
        self.args = args
        self.device = torch.device(args.device)
        self.checkpoint = os.path.join(args.run, "checkpoint.pt")
        self.log = os.path.join(args.run, "loss.csv")
        self.config = self.stored_config() or ARCHITECTURES[args.arch]
        self.model = UNet(self.config).to(self.device)
        self.ema = copy.deepcopy(self.model).eval()
        self.opt = torch.optim.AdamW(self.model.parameters(), lr=args.lr, weight_decay=0.0)
        self.step, self.samples, self.seconds = 0, 0, 0.0
        betas = torch.linspace(LINEAR_SCHEDULE["beta_start"], LINEAR_SCHEDULE["beta_end"], LINEAR_SCHEDULE["timesteps"],
                               dtype=torch.float64)
        self.alpha_bar = torch.cumprod(1 - betas, 0).float().to(self.device)

    def arch(self):
        """The name of this trainer's architecture (in ARCHITECTURES), or "custom"."""
        return next((name for name, config in ARCHITECTURES.items() if config.to_dict() == self.config.to_dict()), "custom")

    def stored_config(self):
        """The architecture of the checkpoint, else of the model folder resumed from; None for a fresh start."""
        if os.path.exists(self.checkpoint):
            return UNetConfig.from_dict(torch.load(self.checkpoint, map_location="cpu")["config"])
        config_path = os.path.join(self.args.init, "config.json")
        if os.path.exists(config_path):
            with open(config_path) as f:
                return UNetConfig.from_dict(json.load(f)["unet"])
        return None

    def resume(self):
        if os.path.exists(self.checkpoint):
            state = torch.load(self.checkpoint, map_location=self.device)
            self.model.load_state_dict(state["model"])
            self.ema.load_state_dict(state["ema"])
            self.opt.load_state_dict(state["opt"])
            self.step, self.samples, self.seconds = state["step"], state["samples"], state["seconds"]
            return f"checkpoint {self.checkpoint}"
        config_path = os.path.join(self.args.init, "config.json")
        if os.path.exists(config_path):
            with open(config_path) as f:
                config = json.load(f)
            weights = {k: v.float() for k, v in load_file(os.path.join(self.args.init, config["weights"])).items()}
            self.model.load_state_dict(weights)
            self.ema.load_state_dict(weights)
            training = config.get("training", {})
            self.step, self.samples = training.get("steps", 0), training.get("samples_seen", 0)
            self.seconds = training.get("cpu_seconds", 0.0)
            history = os.path.join(self.args.init, "loss.csv")
            if os.path.exists(history) and not os.path.exists(self.log):
                os.makedirs(self.args.run, exist_ok=True)
                shutil.copyfile(history, self.log)
            return f"exported model {self.args.init}"
        return "fresh start"

    def save(self):
        os.makedirs(self.args.run, exist_ok=True)
        state = {"model": self.model.state_dict(), "ema": self.ema.state_dict(), "opt": self.opt.state_dict(),
                 "step": self.step, "samples": self.samples, "seconds": self.seconds, "config": self.config.to_dict()}
        torch.save(state, self.checkpoint + ".tmp")
        os.replace(self.checkpoint + ".tmp", self.checkpoint)

    def export(self, folder):
        training = {"steps": self.step, "samples_seen": self.samples, "cpu_seconds": round(self.seconds, 1),
                    "recipe": "Models/training/train.py"}
        config = save_model(folder, self.ema.state_dict(), self.config, dtype=torch.float16, training=training,
                            source="trained by the DreamClean project on shared/datasets/train (see MODEL_CARD.md)",
                            about=about(self.arch()), tiling={"training_size": self.args.crop})
        # The loss history travels with the weights, so that a fresh machine resuming from them keeps the whole curve.
        history = os.path.join(folder, "loss.csv")
        if os.path.exists(self.log) and os.path.abspath(self.log) != os.path.abspath(history):
            shutil.copyfile(self.log, history)
        return config

    def train_step(self, x0, t):
        noise = torch.randn_like(x0)
        ab = self.alpha_bar[t][:, None, None, None]
        xt = ab.sqrt() * x0 + (1 - ab).sqrt() * noise
        with torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.args.amp):
            prediction = self.model(xt, t)
        loss = F.mse_loss(prediction.float(), noise)
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
        self.opt.step()
        decay = min(self.args.ema, (1 + self.step) / (10 + self.step))
        with torch.no_grad():
            for e, p in zip(self.ema.parameters(), self.model.parameters()):
                e.lerp_(p, 1 - decay)
        return loss.item()

    def run(self):
        args = self.args
        photos = load_photos(args.data)
        rng = random.Random(1234 + self.step)
        rng_t = torch.Generator().manual_seed(5678 + self.step)
        torch.manual_seed(91011 + self.step)
        os.makedirs(args.run, exist_ok=True)
        start = last_save = time.time()
        losses = []
        stop = []
        # SIGTERM / SIGINT finish the current step and save, so that stopping the run loses nothing.
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.append(True))
        while time.time() - start < args.minutes * 60 and not stop:
            t0 = time.time()
            x0 = sample_batch(photos, args.batch, args.crop, rng, args.photo_scale).to(self.device)
            losses.append(self.train_step(x0, sample_timesteps(args.batch, rng_t, args.focus_t).to(self.device)))
            self.step += 1
            self.samples += args.batch
            self.seconds += time.time() - t0
            if self.step % 50 == 0:
                with open(self.log, "a") as f:
                    f.write(f"{self.step},{self.samples},{np.mean(losses):.6f},{self.seconds:.1f}\n")
                losses = []
            if time.time() - last_save > args.checkpoint_minutes * 60:
                self.save()
                last_save = time.time()
        self.save()


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    trainer = Trainer(args)
    origin = trainer.resume()
    if args.export:
        config = trainer.export(args.export)
        print(f"exported step {trainer.step} ({trainer.samples} samples) from {origin} to {args.export}: "
              f"{config['weights_sha256'][:12]}")
        return
    print(f"resuming from {origin} at step {trainer.step}", flush=True)
    trainer.run()
    print(f"stopped at step {trainer.step}, {trainer.samples} samples", flush=True)


if __name__ == "__main__":
    main()
