# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The DreamClean authors
"""The ADM UNet of guided-diffusion (Dhariwal & Nichol 2021), rebuilt from its architecture description.

Parameter names equal the keys of guided-diffusion's state dicts (`input_blocks.1.0.in_layers.0.weight`, ...), so a
released checkpoint loads with `load_state_dict` and our `model.safetensors` uses the same keys. The same module, with a
DDPM configuration (additive time conditioning, conv resampling, diffusers' time embedding), reproduces the DDPM UNet of
diffusers' `UNet2DModel`; `convert_diffusers.py` renames that family's keys to these.

Limitations: the legacy attention head order only (what the released checkpoints use); no class conditioning; dropout is
kept for training but is off in every configuration we ship.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, asdict

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class UNetConfig:
    """Hyper-parameters; the field names are the keys of the `unet` object in our config.json."""
    in_channels: int = 3
    out_channels: int = 3                 # 6 for learn_sigma models: eps, then the variance interpolation
    base_channels: int = 64               # width of the sinusoidal timestep embedding (guided-diffusion: model_channels)
    level_channels: list = field(default_factory=lambda: [64, 128, 256])  # channels at each resolution level
    time_embed_dim: int = 256             # guided-diffusion: 4 * model_channels
    num_res_blocks: int = 2
    attention_ds: list = field(default_factory=list)  # downsample factors (1, 2, 4, ...) that get self-attention
    num_heads: int = 1
    num_head_channels: int = -1           # if > 0, heads = channels // num_head_channels (overrides num_heads)
    use_scale_shift_norm: bool = True     # FiLM-style x*(1+scale)+shift time conditioning, else additive
    resblock_updown: bool = False         # resample inside residual blocks, else a separate (conv) resampler
    downsample_padding: str = "symmetric" # "symmetric" (pad 1) or "bottom_right" (DDPM/TF: pad right and bottom by 1)
    norm_groups: int = 32
    norm_eps: float = 1e-5
    time_flip_sin_to_cos: bool = True     # [cos, sin] (guided-diffusion) or [sin, cos] (DDPM)
    time_freq_shift: float = 0.0          # frequencies exp(-ln(1e4) * i / (half - shift)); DDPM uses 1
    middle_attention: bool = True         # self-attention in the middle block (off for the CPU default: O(HW^2))
    dropout: float = 0.0

    def to_dict(self):
        return asdict(self)

    @staticmethod
    def from_dict(d):
        return UNetConfig(**d)


def timestep_embedding(t: torch.Tensor, dim: int, flip_sin_to_cos: bool, freq_shift: float) -> torch.Tensor:
    """Sinusoidal embedding, [N] -> [N, dim]."""
    half = dim // 2
    exponent = -math.log(10000.0) * torch.arange(half, dtype=torch.float32, device=t.device) / (half - freq_shift)
    args = t.float()[:, None] * torch.exp(exponent)[None]
    emb = torch.cat([torch.cos(args), torch.sin(args)] if flip_sin_to_cos else [torch.sin(args), torch.cos(args)], dim=-1)
    if dim % 2:
        emb = F.pad(emb, (0, 1))
    return emb


class GroupNorm32(nn.GroupNorm):
    def forward(self, x):
        return super().forward(x.float()).type(x.dtype)


class TimestepBlock(nn.Module):
    """A block whose forward takes the time embedding as a second argument."""


class TimestepSequential(nn.Sequential, TimestepBlock):
    def forward(self, x, emb):
        for layer in self:
            x = layer(x, emb) if isinstance(layer, TimestepBlock) else layer(x)
        return x


class Upsample(nn.Module):
    def __init__(self, channels, use_conv):
        super().__init__()
        self.use_conv = use_conv
        if use_conv:
            self.conv = nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, x):
        x = F.interpolate(x, scale_factor=2, mode="nearest")
        return self.conv(x) if self.use_conv else x


class Downsample(nn.Module):
    def __init__(self, channels, use_conv, padding="symmetric"):
        super().__init__()
        self.use_conv, self.padding = use_conv, padding
        if use_conv:
            self.op = nn.Conv2d(channels, channels, 3, stride=2, padding=1 if padding == "symmetric" else 0)
        else:
            self.op = nn.AvgPool2d(2, 2)

    def forward(self, x):
        if self.use_conv and self.padding == "bottom_right":
            x = F.pad(x, (0, 1, 0, 1))
        return self.op(x)


class ResBlock(TimestepBlock):
    def __init__(self, cfg: UNetConfig, channels, out_channels, up=False, down=False):
        super().__init__()
        self.use_scale_shift_norm = cfg.use_scale_shift_norm
        self.in_layers = nn.Sequential(GroupNorm32(cfg.norm_groups, channels, eps=cfg.norm_eps), nn.SiLU(),
                                       nn.Conv2d(channels, out_channels, 3, padding=1))
        self.updown = up or down
        if up:
            self.h_upd, self.x_upd = Upsample(channels, False), Upsample(channels, False)
        elif down:
            self.h_upd, self.x_upd = Downsample(channels, False), Downsample(channels, False)
        self.emb_layers = nn.Sequential(nn.SiLU(), nn.Linear(cfg.time_embed_dim,
                                                             2 * out_channels if cfg.use_scale_shift_norm else out_channels))
        self.out_layers = nn.Sequential(GroupNorm32(cfg.norm_groups, out_channels, eps=cfg.norm_eps), nn.SiLU(),
                                        nn.Dropout(cfg.dropout), nn.Conv2d(out_channels, out_channels, 3, padding=1))
        nn.init.zeros_(self.out_layers[-1].weight)
        nn.init.zeros_(self.out_layers[-1].bias)
        self.skip_connection = nn.Identity() if out_channels == channels else nn.Conv2d(channels, out_channels, 1)

    def forward(self, x, emb):
        if self.updown:
            h = self.in_layers[:-1](x)
            h = self.h_upd(h)
            x = self.x_upd(x)
            h = self.in_layers[-1](h)
        else:
            h = self.in_layers(x)
        e = self.emb_layers(emb).type(h.dtype)[..., None, None]
        if self.use_scale_shift_norm:
            norm, rest = self.out_layers[0], self.out_layers[1:]
            scale, shift = e.chunk(2, dim=1)
            h = rest(norm(h) * (1 + scale) + shift)
        else:
            h = self.out_layers(h + e)
        return self.skip_connection(x) + h


class AttentionBlock(nn.Module):
    """Spatial self-attention with guided-diffusion's legacy head order: qkv channels are [head][q|k|v][head_dim]."""

    def __init__(self, cfg: UNetConfig, channels):
        super().__init__()
        self.num_heads = channels // cfg.num_head_channels if cfg.num_head_channels > 0 else cfg.num_heads
        assert channels % self.num_heads == 0
        self.norm = GroupNorm32(cfg.norm_groups, channels, eps=cfg.norm_eps)
        self.qkv = nn.Conv1d(channels, channels * 3, 1)
        self.proj_out = nn.Conv1d(channels, channels, 1)
        nn.init.zeros_(self.proj_out.weight)
        nn.init.zeros_(self.proj_out.bias)

    def forward(self, x):
        b, c, *spatial = x.shape
        x2 = x.reshape(b, c, -1)
        qkv = self.qkv(self.norm(x2))                           # [B, 3C, T]
        bh, ch, length = b * self.num_heads, c // self.num_heads, qkv.shape[-1]
        q, k, v = qkv.reshape(bh, 3 * ch, length).split(ch, dim=1)
        weight = torch.einsum("bct,bcs->bts", q, k) / math.sqrt(ch)
        weight = torch.softmax(weight.float(), dim=-1).type(weight.dtype)
        a = torch.einsum("bts,bcs->bct", weight, v).reshape(b, c, length)
        return (x2 + self.proj_out(a)).reshape(b, c, *spatial)


class UNet(nn.Module):
    """[N, in, H, W], timesteps [N] -> [N, out, H, W]; H and W must be multiples of 2^(levels-1)."""

    def __init__(self, cfg: UNetConfig):
        super().__init__()
        self.cfg = cfg
        ted = cfg.time_embed_dim
        self.time_embed = nn.Sequential(nn.Linear(cfg.base_channels, ted), nn.SiLU(), nn.Linear(ted, ted))
        ch = cfg.level_channels[0]
        self.input_blocks = nn.ModuleList([TimestepSequential(nn.Conv2d(cfg.in_channels, ch, 3, padding=1))])
        skip_channels, ds = [ch], 1
        for level, out_ch in enumerate(cfg.level_channels):
            for _ in range(cfg.num_res_blocks):
                layers = [ResBlock(cfg, ch, out_ch)]
                ch = out_ch
                if ds in cfg.attention_ds:
                    layers.append(AttentionBlock(cfg, ch))
                self.input_blocks.append(TimestepSequential(*layers))
                skip_channels.append(ch)
            if level != len(cfg.level_channels) - 1:
                down = ResBlock(cfg, ch, ch, down=True) if cfg.resblock_updown else Downsample(ch, True, cfg.downsample_padding)
                self.input_blocks.append(TimestepSequential(down))
                skip_channels.append(ch)
                ds *= 2
        middle = [ResBlock(cfg, ch, ch)] + ([AttentionBlock(cfg, ch)] if cfg.middle_attention else []) + [ResBlock(cfg, ch, ch)]
        self.middle_block = TimestepSequential(*middle)
        self.output_blocks = nn.ModuleList()
        for level, out_ch in reversed(list(enumerate(cfg.level_channels))):
            for i in range(cfg.num_res_blocks + 1):
                layers = [ResBlock(cfg, ch + skip_channels.pop(), out_ch)]
                ch = out_ch
                if ds in cfg.attention_ds:
                    layers.append(AttentionBlock(cfg, ch))
                if level and i == cfg.num_res_blocks:
                    layers.append(ResBlock(cfg, ch, ch, up=True) if cfg.resblock_updown else Upsample(ch, True))
                    ds //= 2
                self.output_blocks.append(TimestepSequential(*layers))
        self.out = nn.Sequential(GroupNorm32(cfg.norm_groups, ch, eps=cfg.norm_eps), nn.SiLU(),
                                 nn.Conv2d(ch, cfg.out_channels, 3, padding=1))
        nn.init.zeros_(self.out[-1].weight)
        nn.init.zeros_(self.out[-1].bias)

    @property
    def size_multiple(self):
        return 2 ** (len(self.cfg.level_channels) - 1)

    def forward(self, x, timesteps):
        # x: [N, in, H, W]
        emb = self.time_embed(timestep_embedding(timesteps, self.cfg.base_channels,
                                                 self.cfg.time_flip_sin_to_cos, self.cfg.time_freq_shift))
        hs, h = [], x
        for block in self.input_blocks:
            h = block(h, emb)
            hs.append(h)
        h = self.middle_block(h, emb)
        for block in self.output_blocks:
            h = block(torch.cat([h, hs.pop()], dim=1), emb)
        return self.out(h)  # [N, out, H, W]
