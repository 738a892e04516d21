# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The DreamClean authors
"""Named configurations: the public checkpoints' architectures and our CPU default."""
from .adm import UNetConfig


def imagenet256_uncond():
    """guided-diffusion `256x256_diffusion_uncond.pt` (552.8 M parameters, learn_sigma: 6 outputs)."""
    return UNetConfig(in_channels=3, out_channels=6, base_channels=256, level_channels=[256, 256, 512, 512, 1024, 1024],
                      time_embed_dim=1024, num_res_blocks=2, attention_ds=[8, 16, 32], num_head_channels=64,
                      use_scale_shift_norm=True, resblock_updown=True)


def default_cpu():
    """The project's default prior (Models/training/train.py): no attention, about 58 GFLOP per 256x256 forward."""
    return UNetConfig(in_channels=3, out_channels=3, base_channels=32, level_channels=[32, 64, 96, 128], time_embed_dim=128,
                      num_res_blocks=2, attention_ds=[], middle_attention=False, use_scale_shift_norm=True,
                      resblock_updown=False)


# diffusers' config of google/ddpm-celebahq-256 (the DDPM CelebA-HQ model, 113.7 M parameters).
DDPM_CELEBAHQ_256_DIFFUSERS = {
    "_class_name": "UNet2DModel", "act_fn": "silu", "attention_head_dim": None,
    "block_out_channels": [128, 128, 256, 256, 512, 512], "center_input_sample": False,
    "down_block_types": ["DownBlock2D", "DownBlock2D", "DownBlock2D", "DownBlock2D", "AttnDownBlock2D", "DownBlock2D"],
    "downsample_padding": 0, "flip_sin_to_cos": False, "freq_shift": 1, "in_channels": 3, "layers_per_block": 2,
    "mid_block_scale_factor": 1, "norm_eps": 1e-06, "norm_num_groups": 32, "out_channels": 3, "sample_size": 256,
    "time_embedding_type": "positional",
    "up_block_types": ["UpBlock2D", "AttnUpBlock2D", "UpBlock2D", "UpBlock2D", "UpBlock2D", "UpBlock2D"],
}
