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


# diffusers' configs of Stable Diffusion 1.5's UNet (runwayml/stable-diffusion-v1-5, 859.5 M parameters) and
# autoencoder (83.7 M), and of SDXL base 1.0's UNet (stabilityai/stable-diffusion-xl-base-1.0, 2567.5 M): the real
# architectures, for the bench's random-weight rows (no checkpoint can be downloaded here).
SD15_UNET_DIFFUSERS = {
    "act_fn": "silu", "attention_head_dim": 8, "block_out_channels": [320, 640, 1280, 1280], "center_input_sample": False,
    "cross_attention_dim": 768,
    "down_block_types": ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"],
    "downsample_padding": 1, "flip_sin_to_cos": True, "freq_shift": 0, "in_channels": 4, "layers_per_block": 2,
    "mid_block_scale_factor": 1, "norm_eps": 1e-05, "norm_num_groups": 32, "out_channels": 4, "sample_size": 64,
    "up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"],
}
SD_VAE_DIFFUSERS = {
    "act_fn": "silu", "block_out_channels": [128, 256, 512, 512],
    "down_block_types": ["DownEncoderBlock2D"] * 4, "up_block_types": ["UpDecoderBlock2D"] * 4, "in_channels": 3,
    "out_channels": 3, "latent_channels": 4, "layers_per_block": 2, "norm_num_groups": 32, "sample_size": 512,
    "scaling_factor": 0.18215,
}
SDXL_UNET_DIFFUSERS = {
    "act_fn": "silu", "addition_embed_type": "text_time", "addition_time_embed_dim": 256, "attention_head_dim": [5, 10, 20],
    "block_out_channels": [320, 640, 1280], "center_input_sample": False, "cross_attention_dim": 2048,
    "down_block_types": ["DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"], "downsample_padding": 1,
    "flip_sin_to_cos": True, "freq_shift": 0, "in_channels": 4, "layers_per_block": 2, "mid_block_scale_factor": 1,
    "norm_eps": 1e-05, "norm_num_groups": 32, "out_channels": 4, "projection_class_embeddings_input_dim": 2816,
    "sample_size": 128, "transformer_layers_per_block": [1, 2, 10],
    "up_block_types": ["CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"], "use_linear_projection": True,
}
# Stable Diffusion's training schedule (DDIM's config in the released pipelines), and SDXL's autoencoder scaling.
SD_SCHEDULER = {"beta_schedule": "scaled_linear", "beta_start": 0.00085, "beta_end": 0.012, "num_train_timesteps": 1000,
                "prediction_type": "epsilon"}
SDXL_VAE_SCALING = 0.13025
