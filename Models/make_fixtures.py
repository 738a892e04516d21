# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The DreamClean authors
"""Writes the parity fixtures under Tests/Fixtures: small random-weight instances of both UNet families with inputs,
timesteps and PyTorch's outputs (float32, NCHW), on a square and a non-square input.

    python3 Models/make_fixtures.py            # from the repository root; deterministic (seeded)

Weights are rounded to f16 (adm) and bf16 (ddpm) before the outputs are computed, so the files stay small and both
dtypes are exercised; the inputs and outputs are float32.

- adm-tiny: our ADM reference with attention (multi-head), scale-shift norm, resblock up/down and learn_sigma.
- ddpm-tiny: diffusers' own UNet2DModel (the DDPM family, attention, bottom-right downsample padding), converted by
  convert_diffusers.py; its outputs come from diffusers, so the fixture also checks the converter.
"""
import os
import sys
import tempfile

import torch
from safetensors.torch import save_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dreamclean_models.adm import UNet, UNetConfig  # noqa: E402
from dreamclean_models import convert_diffusers  # noqa: E402
from dreamclean_models.modelfile import save_model, load_model, randomize  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures")
SIZES = [(16, 16), (12, 20)]       # square and non-square, multiples of 4 (three levels)
TIMESTEPS = [[17.0], [731.0]]


def round_to(model, dtype):
    """Rounds the weights to `dtype` so that the stored (smaller) file holds exactly the weights the outputs came from."""
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(p.to(dtype).float())


def write_cases(folder, forward, in_channels, seed):
    g = torch.Generator().manual_seed(seed)
    cases = {}
    for i, ((h, w), t) in enumerate(zip(SIZES, TIMESTEPS)):
        x = torch.randn(1, in_channels, h, w, generator=g)
        ts = torch.tensor(t)
        with torch.no_grad():
            cases[f"input_{i}"] = x.contiguous()
            cases[f"timesteps_{i}"] = ts
            cases[f"output_{i}"] = forward(x, ts).float().contiguous()
    save_file(cases, os.path.join(folder, "cases.safetensors"))


def adm_tiny():
    folder = os.path.join(ROOT, "adm-tiny")
    cfg = UNetConfig(in_channels=3, out_channels=6, base_channels=32, level_channels=[32, 32, 64], time_embed_dim=64,
                     num_res_blocks=1, attention_ds=[2, 4], num_head_channels=16, use_scale_shift_norm=True,
                     resblock_updown=True, norm_groups=8)
    torch.manual_seed(0)
    model = UNet(cfg).eval()
    randomize(model, 1)
    round_to(model, torch.float16)
    save_model(folder, model.state_dict(), cfg, architecture="adm", learn_sigma=True, dtype=torch.float16,
               source="random weights (make_fixtures.py)")
    write_cases(folder, model, 3, 2)


def ddpm_tiny():
    from diffusers import UNet2DModel
    folder = os.path.join(ROOT, "ddpm-tiny")
    torch.manual_seed(0)
    reference = UNet2DModel(sample_size=16, in_channels=3, out_channels=3, block_out_channels=(32, 32, 64),
                            down_block_types=("DownBlock2D", "AttnDownBlock2D", "DownBlock2D"),
                            up_block_types=("UpBlock2D", "AttnUpBlock2D", "UpBlock2D"), layers_per_block=1,
                            norm_num_groups=8, norm_eps=1e-6, downsample_padding=0, flip_sin_to_cos=False, freq_shift=1,
                            attention_head_dim=16).eval()
    with tempfile.TemporaryDirectory() as tmp:
        reference.save_pretrained(tmp)
        dc, sd = convert_diffusers.load_diffusers_folder(tmp)
        g = torch.Generator().manual_seed(3)
        with torch.no_grad():   # non-zero everywhere, through the diffusers model itself
            for p in reference.parameters():
                p.add_(0.1 * torch.randn(p.shape, generator=g))
            round_to(reference, torch.bfloat16)
            sd = {k: v.clone() for k, v in reference.state_dict().items()}
        convert_diffusers.convert(dc, sd, folder, dtype=torch.bfloat16, source="random weights, diffusers UNet2DModel (make_fixtures.py)")
    ours, _ = load_model(folder)
    write_cases(folder, lambda x, t: reference(x, t).sample, 3, 4)
    # The converter is right only if our reference reproduces diffusers on the converted weights.
    g = torch.Generator().manual_seed(5)
    x = torch.randn(1, 3, 12, 20, generator=g)
    with torch.no_grad():
        err = (ours(x, torch.tensor([300.0])) - reference(x, torch.tensor([300.0])).sample).abs().max().item()
    assert err < 1e-4, f"converted DDPM differs from diffusers by {err}"
    print(f"ddpm-tiny: reference vs diffusers max abs error {err:.2e}")


if __name__ == "__main__":
    adm_tiny()
    ddpm_tiny()
    for name in ("adm-tiny", "ddpm-tiny"):
        folder = os.path.join(ROOT, name)
        print(name, {f: os.path.getsize(os.path.join(folder, f)) for f in sorted(os.listdir(folder))})
