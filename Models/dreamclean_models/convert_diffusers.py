# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The DreamClean authors
"""Converts a diffusers `UNet2DModel` folder (config.json + diffusion_pytorch_model.safetensors or .bin), such as
google/ddpm-celebahq-256, to a DreamClean model folder of architecture "ddpm".

    python3 -m dreamclean_models.convert_diffusers path/to/unet Models/celebahq [--dtype f16]

The DDPM UNet is the ADM UNet with additive time conditioning and conv resampling, so the keys are renamed to
guided-diffusion's and the separate q/k/v projections are fused into one qkv in guided-diffusion's legacy head order.
The result is loaded strictly into the reference UNet before it is written.
"""
import argparse
import json
import os

import torch

from .adm import UNet, UNetConfig
from .modelfile import save_model, add_about_arguments, about_from, tiling_from

RESNET_KEYS = {"norm1": "in_layers.0", "conv1": "in_layers.2", "time_emb_proj": "emb_layers.1", "norm2": "out_layers.0",
               "conv2": "out_layers.3", "conv_shortcut": "skip_connection"}


def move_tensors(sd, out, src, dst):
    """Moves `src.weight` and `src.bias` (those present) from the diffusers state dict `sd` to `dst.*` in `out`."""
    for suffix in ("weight", "bias"):
        if f"{src}.{suffix}" in sd:
            out[f"{dst}.{suffix}"] = sd.pop(f"{src}.{suffix}")


def move_resnet(sd, out, src, dst):
    """A ResnetBlock2D's tensors, renamed to guided-diffusion's ResBlock keys."""
    for a, b in RESNET_KEYS.items():
        move_tensors(sd, out, f"{src}.{a}", f"{dst}.{b}")


def unet_config(dc):
    """Our UNetConfig for a diffusers UNet2DModel config dict; raises for options the DDPM family does not have."""
    unsupported = {"time_embedding_type": "positional", "act_fn": "silu", "center_input_sample": False,
                   "resnet_time_scale_shift": "default", "class_embed_type": None, "num_class_embeds": None}
    for key, expected in unsupported.items():
        if dc.get(key, expected) != expected:
            raise ValueError(f"diffusers config {key}={dc[key]!r} is not supported (needs {expected!r})")
    if dc.get("mid_block_scale_factor", 1) != 1:
        raise ValueError("mid_block_scale_factor != 1 is not supported")
    channels = list(dc["block_out_channels"])
    downs, ups = dc["down_block_types"], dc["up_block_types"]
    attention_down = [2 ** i for i, t in enumerate(downs) if t.startswith("Attn")]
    attention_up = [2 ** (len(ups) - 1 - i) for i, t in enumerate(ups) if t.startswith("Attn")]
    if sorted(attention_down) != sorted(attention_up):
        raise ValueError("attention must sit at the same levels on the way down and up")
    for t in downs + ups:
        if t not in ("DownBlock2D", "AttnDownBlock2D", "UpBlock2D", "AttnUpBlock2D"):
            raise ValueError(f"block type {t} is not supported")
    head_dim = dc.get("attention_head_dim")
    return UNetConfig(in_channels=dc["in_channels"], out_channels=dc["out_channels"], base_channels=channels[0],
                      level_channels=channels, time_embed_dim=4 * channels[0], num_res_blocks=dc["layers_per_block"],
                      attention_ds=sorted(attention_down), num_heads=1, num_head_channels=head_dim or -1,
                      use_scale_shift_norm=False, resblock_updown=False,
                      downsample_padding="symmetric" if dc.get("downsample_padding", 1) == 1 else "bottom_right",
                      norm_groups=dc.get("norm_num_groups", 32), norm_eps=dc.get("norm_eps", 1e-5),
                      time_flip_sin_to_cos=dc.get("flip_sin_to_cos", True), time_freq_shift=float(dc.get("freq_shift", 0)),
                      middle_attention=dc.get("add_attention", True))


def fuse_attention(sd, src, dst, channels, heads):
    """diffusers' to_q/to_k/to_v/to_out.0 (or the older query/key/value/proj_attn) -> qkv/proj_out [out, in, 1]."""
    def get(new, old):
        name = f"{src}.{new}" if f"{src}.{new}.weight" in sd else f"{src}.{old}"
        return sd.pop(f"{name}.weight"), sd.pop(f"{name}.bias")
    q, k, v = get("to_q", "query"), get("to_k", "key"), get("to_v", "value")
    out_w, out_b = get("to_out.0", "proj_attn")
    d = channels // heads
    w_parts, b_parts = [], []
    for h in range(heads):
        for weight, bias in (q, k, v):
            w_parts.append(weight[h * d:(h + 1) * d])
            b_parts.append(bias[h * d:(h + 1) * d])
    group_w, group_b = sd.pop(f"{src}.group_norm.weight"), sd.pop(f"{src}.group_norm.bias")
    return {f"{dst}.norm.weight": group_w, f"{dst}.norm.bias": group_b,
            f"{dst}.qkv.weight": torch.cat(w_parts)[:, :, None], f"{dst}.qkv.bias": torch.cat(b_parts),
            f"{dst}.proj_out.weight": out_w.reshape(channels, channels, 1), f"{dst}.proj_out.bias": out_b}


def rename(sd, cfg: UNetConfig):
    """diffusers state dict -> guided-diffusion keys."""
    def attention(sd, src, dst, channels, level):
        if level is not None and 2 ** level not in cfg.attention_ds:
            return {}
        heads = channels // cfg.num_head_channels if cfg.num_head_channels > 0 else cfg.num_heads
        return fuse_attention(sd, src, dst, channels, heads)
    return rename_unet_blocks(sd, cfg.level_channels, cfg.num_res_blocks, attention, cfg.middle_attention)


def rename_unet_blocks(sd, level_channels, num_res_blocks, attention, middle_attention, extra=()):
    """A diffusers UNet's state dict (UNet2DModel or UNet2DConditionModel) -> guided-diffusion's keys: conv_in, the time
    embedding, `extra` (src, dst) moves, the down, middle and up blocks, the output. `attention(sd, src, dst, channels,
    level)` pops one attention block's tensors from sd and returns them renamed ({} where that level has none; level
    None: the middle block's). Raises unless every key was converted."""
    sd = dict(sd)
    out = {}

    def move(src, dst):
        move_tensors(sd, out, src, dst)

    def resnet(src, dst):
        move_resnet(sd, out, src, dst)

    move("conv_in", "input_blocks.0.0")
    move("time_embedding.linear_1", "time_embed.0")
    move("time_embedding.linear_2", "time_embed.2")
    for src, dst in extra:
        move(src, dst)
    r, levels = num_res_blocks, len(level_channels)
    index = 1
    for level, ch in enumerate(level_channels):
        for j in range(r):
            resnet(f"down_blocks.{level}.resnets.{j}", f"input_blocks.{index}.0")
            out.update(attention(sd, f"down_blocks.{level}.attentions.{j}", f"input_blocks.{index}.1", ch, level))
            index += 1
        if level != levels - 1:
            move(f"down_blocks.{level}.downsamplers.0.conv", f"input_blocks.{index}.0.op")
            index += 1
    resnet("mid_block.resnets.0", "middle_block.0")
    if middle_attention:
        out.update(attention(sd, "mid_block.attentions.0", "middle_block.1", level_channels[-1], None))
    resnet("mid_block.resnets.1", f"middle_block.{2 if middle_attention else 1}")
    index = 0
    for up in range(levels):
        level = levels - 1 - up
        ch = level_channels[level]
        for j in range(r + 1):
            resnet(f"up_blocks.{up}.resnets.{j}", f"output_blocks.{index}.0")
            attended = attention(sd, f"up_blocks.{up}.attentions.{j}", f"output_blocks.{index}.1", ch, level)
            out.update(attended)
            if level > 0 and j == r:
                move(f"up_blocks.{up}.upsamplers.0.conv", f"output_blocks.{index}.{2 if attended else 1}.conv")
            index += 1
    move("conv_norm_out", "out.0")
    move("conv_out", "out.2")
    if sd:
        raise ValueError(f"unconverted diffusers keys: {sorted(sd)[:5]}")
    return out


def load_diffusers_folder(folder):
    with open(os.path.join(folder, "config.json")) as f:
        dc = json.load(f)
    st = os.path.join(folder, "diffusion_pytorch_model.safetensors")
    if os.path.exists(st):
        from safetensors.torch import load_file
        sd = load_file(st)
    else:
        sd = torch.load(os.path.join(folder, "diffusion_pytorch_model.bin"), map_location="cpu", weights_only=True)
    return dc, sd


def convert(dc, sd, out_folder, dtype=torch.float32, source="", about=None):
    cfg = unet_config(dc)
    state = rename(sd, cfg)
    model = UNet(cfg)
    model.load_state_dict(state, strict=True)
    return save_model(out_folder, model.state_dict(), cfg, architecture="ddpm", learn_sigma=False, dtype=dtype, source=source,
                      about=about)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("diffusers_folder")
    p.add_argument("out_folder")
    p.add_argument("--dtype", choices=["f32", "f16"], default="f32")
    add_about_arguments(p)
    args = p.parse_args()
    dc, sd = load_diffusers_folder(args.diffusers_folder)
    convert(dc, sd, args.out_folder, torch.float16 if args.dtype == "f16" else torch.float32,
            source=f"diffusers UNet2DModel {args.diffusers_folder}", about=about_from(args), tiling=tiling_from(args))
    print(f"wrote {args.out_folder}")


if __name__ == "__main__":
    main()
