# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The DreamClean authors
"""Converts a Stable Diffusion pipeline (SD 1.x, 2.x or SDXL) to a DreamClean latent model folder (architecture "sd"):

    python3 -m dreamclean_models.convert_sd path/to/pipeline-folder Models/sd15 [--dtype f16]
    python3 -m dreamclean_models.convert_sd model.safetensors Models/sd15 --config path/to/pipeline-folder

The input is a diffusers pipeline folder (model_index.json, unet/, vae/, text_encoder/, tokenizer/ ...), or a
single-file checkpoint that diffusers loads offline with `--config` naming a pipeline folder of the same architecture
(nothing is downloaded). The output folder holds:

- model.safetensors: the UNet, keys renamed to guided-diffusion's as the pixel converters do, plus the transformer
  blocks (`<block>.1.norm`, `.proj_in`, `.transformer_blocks.N.{norm1,norm2,norm3}`, `.attn1.qkv` (q, k, v fused in the
  legacy head order, no bias), `.attn1.to_out`, `.attn2.{to_q,to_k,to_v,to_out}`, `.ff.proj`, `.ff.out`, `.proj_out`;
  every per-position linear map stored as a 1x1 convolution weight [out, in, 1, 1]; attn2.to_k/to_v read the fixed
  context, so the runtime applies them once, at load) and SDXL's `add_embed.0` / `add_embed.2`.
- vae.safetensors: the autoencoder (`encoder.*`, `decoder.*`, `quant_conv`, `post_quant_conv`; see AutoencoderKL.swift).
- conditioning.safetensors: what the UNet is conditioned on, computed here once by the pipeline's own text encoders:
  `context` [tokens, context_dim] for the empty prompt; SDXL also `text_embeds` (the pooled embedding) and `time_ids`
  (original size, crop, target size at the model's native resolution). The runtime never needs the text encoders.
- config.json: the pixel schema (modelfile.py) with architecture "sd", unet.transformer {depth per level,
  middle_depth, context_dim, group_norm_eps, layer_norm_eps}, unet.added_embedding {time_dim, time_ids, text_dim}
  (SDXL), vae {in_channels, latent_channels, level_channels, num_res_blocks, norm_groups, norm_eps, scaling_factor,
  shift_factor, quant_conv, weights, weights_sha256}, conditioning (the file's name), prediction "eps" or "v", the
  scheduler's betas (scaled_linear for every released SD), and presets (rows per task for large latent priors).

Every diffusers key must be consumed and every option the runtime does not implement is refused by name.
"""
import argparse
import json
import os
import sys

import torch

from .convert_diffusers import fuse_attention, move_tensors, move_resnet, rename_unet_blocks
from .modelfile import write_weights, write_config, add_about_arguments, about_from

PIPELINES = {"StableDiffusionPipeline": "sd", "StableDiffusionImg2ImgPipeline": "sd", "StableDiffusionXLPipeline": "sdxl",
             "StableDiffusionXLImg2ImgPipeline": "sdxl"}
FORMAT_VERSION = 1


class ConversionError(Exception):
    """A pipeline this converter cannot turn into a DreamClean model; the message says why."""


def require(dc, what, expected):
    """Raises unless every `key: value` of `expected` holds in the diffusers config `dc` (a missing key counts as its default)."""
    for key, value in expected.items():
        if dc.get(key, value) != value:
            raise ConversionError(f"{what} config {key}={dc[key]!r} is not supported (needs {value!r})")


def per_level(value, levels, name):
    values = list(value) if isinstance(value, (list, tuple)) else [value] * levels
    if len(values) != levels:
        raise ConversionError(f"unet config {name} has {len(values)} entries for {levels} levels")
    return values


def unet_config(dc):
    """Our unet object for a diffusers UNet2DConditionModel config."""
    require(dc, "unet", {"center_input_sample": False, "act_fn": "silu", "only_cross_attention": False,
                         "dual_cross_attention": False, "class_embed_type": None, "num_class_embeds": None,
                         "resnet_time_scale_shift": "default", "resnet_skip_time_act": False, "resnet_out_scale_factor": 1.0,
                         "time_embedding_type": "positional", "time_embedding_act_fn": None, "timestep_post_act": None,
                         "time_cond_proj_dim": None, "conv_in_kernel": 3, "conv_out_kernel": 3, "encoder_hid_dim": None,
                         "mid_block_type": "UNetMidBlock2DCrossAttn", "attention_type": "default",
                         "class_embeddings_concat": False, "cross_attention_norm": None, "mid_block_scale_factor": 1,
                         "downsample_padding": 1, "time_embedding_dim": None, "reverse_transformer_layers_per_block": None})
    channels = list(dc["block_out_channels"])
    levels = len(channels)
    downs, ups = list(dc["down_block_types"]), list(dc["up_block_types"])
    for t in downs + ups:
        if t not in ("CrossAttnDownBlock2D", "DownBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"):
            raise ConversionError(f"unet block type {t} is not supported")
    depths = per_level(dc.get("transformer_layers_per_block", 1), levels, "transformer_layers_per_block")
    depth = [d if downs[i].startswith("CrossAttn") else 0 for i, d in enumerate(depths)]
    if [ups[levels - 1 - i].startswith("CrossAttn") for i in range(levels)] != [d > 0 for d in depth]:
        raise ConversionError("cross-attention must sit at the same levels on the way down and up")
    # diffusers' historical naming: attention_head_dim is the head count unless num_attention_heads is given.
    heads = per_level(dc.get("num_attention_heads") or dc["attention_head_dim"], levels, "attention_head_dim")
    attended = [i for i in range(levels) if depth[i] > 0] + [levels - 1]
    if len({heads[i] for i in attended}) == 1:
        num_heads, num_head_channels = heads[attended[0]], -1
    elif len({channels[i] // heads[i] for i in attended}) == 1:
        num_heads, num_head_channels = 1, channels[attended[0]] // heads[attended[0]]
    else:
        raise ConversionError(f"heads {heads} are neither one count nor one width for channels {channels}")
    cfg = {"in_channels": dc["in_channels"], "out_channels": dc["out_channels"], "base_channels": channels[0],
           "level_channels": channels, "time_embed_dim": 4 * channels[0], "num_res_blocks": dc["layers_per_block"],
           "attention_ds": [], "num_heads": num_heads, "num_head_channels": num_head_channels,
           "use_scale_shift_norm": False, "resblock_updown": False, "downsample_padding": "symmetric",
           "norm_groups": dc.get("norm_num_groups", 32), "norm_eps": dc.get("norm_eps", 1e-5),
           "time_flip_sin_to_cos": dc.get("flip_sin_to_cos", True), "time_freq_shift": float(dc.get("freq_shift", 0)),
           "middle_attention": True,
           "transformer": {"depth": depth, "middle_depth": depths[-1], "context_dim": dc["cross_attention_dim"],
                           "group_norm_eps": 1e-6, "layer_norm_eps": 1e-5}}
    if isinstance(dc["layers_per_block"], (list, tuple)):
        raise ConversionError("unet config layers_per_block per level is not supported")
    if isinstance(dc["cross_attention_dim"], (list, tuple)):
        raise ConversionError("unet config cross_attention_dim per level is not supported")
    added = dc.get("addition_embed_type")
    if added == "text_time":
        time_dim = dc["addition_time_embed_dim"]
        input_dim = dc["projection_class_embeddings_input_dim"]
        time_ids = 6
        cfg["added_embedding"] = {"time_dim": time_dim, "time_ids": time_ids, "text_dim": input_dim - time_ids * time_dim}
    elif added is not None:
        raise ConversionError(f"unet config addition_embed_type={added!r} is not supported (needs None or 'text_time')")
    return cfg


def transformer(sd, src, dst, channels, heads, depth):
    """One Transformer2DModel's keys -> ours (see the module docstring)."""
    out = {}

    def take(key):
        if key not in sd:
            raise ConversionError(f"missing unet key {key}")
        return sd.pop(key)

    def pointwise(key):
        w = take(key)
        return w if w.dim() == 4 else w[:, :, None, None]

    def layer(a, b, bias=True):
        out[f"{dst}.{b}.weight"] = pointwise(f"{src}.{a}.weight")
        if bias:
            out[f"{dst}.{b}.bias"] = take(f"{src}.{a}.bias")

    for suffix in ("weight", "bias"):
        out[f"{dst}.norm.{suffix}"] = take(f"{src}.norm.{suffix}")
    layer("proj_in", "proj_in")
    layer("proj_out", "proj_out")
    d = channels // heads
    for j in range(depth):
        s, t = f"{src}.transformer_blocks.{j}", f"{dst}.transformer_blocks.{j}"
        for n in (1, 2, 3):
            for suffix in ("weight", "bias"):
                out[f"{t}.norm{n}.{suffix}"] = take(f"{s}.norm{n}.{suffix}")
        for a in ("attn1", "attn2"):
            for p in ("to_q", "to_k", "to_v"):
                if f"{s}.{a}.{p}.bias" in sd:
                    raise ConversionError(f"{s}.{a}.{p} has a bias (attention_bias): not supported")
        q, k, v = (take(f"{s}.attn1.{p}.weight") for p in ("to_q", "to_k", "to_v"))
        out[f"{t}.attn1.qkv.weight"] = torch.cat([w[h * d:(h + 1) * d] for h in range(heads) for w in (q, k, v)])[:, :, None, None]
        out[f"{t}.attn1.to_out.weight"] = pointwise(f"{s}.attn1.to_out.0.weight")
        out[f"{t}.attn1.to_out.bias"] = take(f"{s}.attn1.to_out.0.bias")
        out[f"{t}.attn2.to_q.weight"] = pointwise(f"{s}.attn2.to_q.weight")
        out[f"{t}.attn2.to_k.weight"] = pointwise(f"{s}.attn2.to_k.weight")
        out[f"{t}.attn2.to_v.weight"] = pointwise(f"{s}.attn2.to_v.weight")
        out[f"{t}.attn2.to_out.weight"] = pointwise(f"{s}.attn2.to_out.0.weight")
        out[f"{t}.attn2.to_out.bias"] = take(f"{s}.attn2.to_out.0.bias")
        out[f"{t}.ff.proj.weight"] = pointwise(f"{s}.ff.net.0.proj.weight")
        out[f"{t}.ff.proj.bias"] = take(f"{s}.ff.net.0.proj.bias")
        out[f"{t}.ff.out.weight"] = pointwise(f"{s}.ff.net.2.weight")
        out[f"{t}.ff.out.bias"] = take(f"{s}.ff.net.2.bias")
    return out


def rename_unet(sd, cfg):
    """diffusers UNet2DConditionModel state dict -> our keys."""
    depth = cfg["transformer"]["depth"]

    def attention(sd, src, dst, channels, level):
        blocks = cfg["transformer"]["middle_depth"] if level is None else depth[level]
        if not blocks:
            return {}
        heads = channels // cfg["num_head_channels"] if cfg["num_head_channels"] > 0 else cfg["num_heads"]
        return transformer(sd, src, dst, channels, heads, blocks)
    extra = [("add_embedding.linear_1", "add_embed.0"), ("add_embedding.linear_2", "add_embed.2")] if "added_embedding" in cfg else []
    try:
        return rename_unet_blocks(sd, cfg["level_channels"], cfg["num_res_blocks"], attention, True, extra)
    except ValueError as e:
        raise ConversionError(f"unet: {e}") from e


def vae_config(dc):
    require(dc, "vae", {"act_fn": "silu", "latents_mean": None, "latents_std": None, "mid_block_add_attention": True,
                        "use_post_quant_conv": dc.get("use_quant_conv", True)})
    if dc.get("out_channels", 3) != dc.get("in_channels", 3):
        raise ConversionError("vae config: in_channels and out_channels must agree")
    for t in list(dc["down_block_types"]) + list(dc["up_block_types"]):
        if t not in ("DownEncoderBlock2D", "UpDecoderBlock2D"):
            raise ConversionError(f"vae block type {t} is not supported")
    if dc.get("scaling_factor") is None:
        raise ConversionError("vae config has no scaling_factor")
    return {"in_channels": dc.get("in_channels", 3), "latent_channels": dc["latent_channels"],
            "level_channels": list(dc["block_out_channels"]), "num_res_blocks": dc["layers_per_block"],
            "norm_groups": dc.get("norm_num_groups", 32), "norm_eps": 1e-6, "scaling_factor": dc["scaling_factor"],
            "shift_factor": dc.get("shift_factor") or 0.0, "quant_conv": dc.get("use_quant_conv", True)}


def rename_vae(sd, cfg):
    """diffusers AutoencoderKL state dict -> our keys."""
    sd = dict(sd)
    out = {}

    def move(src, dst):
        move_tensors(sd, out, src, dst)

    def resnet(src, dst):
        move_resnet(sd, out, src, dst)

    def middle(part, channels):
        resnet(f"{part}.mid_block.resnets.0", f"{part}.mid.0")
        out.update(fuse_attention(sd, f"{part}.mid_block.attentions.0", f"{part}.mid.1", channels, 1))
        resnet(f"{part}.mid_block.resnets.1", f"{part}.mid.2")

    levels = len(cfg["level_channels"])
    move("encoder.conv_in", "encoder.conv_in")
    for i in range(levels):
        for j in range(cfg["num_res_blocks"]):
            resnet(f"encoder.down_blocks.{i}.resnets.{j}", f"encoder.down.{i}.res.{j}")
        move(f"encoder.down_blocks.{i}.downsamplers.0.conv", f"encoder.down.{i}.downsample")
    middle("encoder", cfg["level_channels"][-1])
    move("encoder.conv_norm_out", "encoder.out.0")
    move("encoder.conv_out", "encoder.out.2")
    move("quant_conv", "quant_conv")
    move("post_quant_conv", "post_quant_conv")
    move("decoder.conv_in", "decoder.conv_in")
    middle("decoder", cfg["level_channels"][-1])
    for i in range(levels):
        for j in range(cfg["num_res_blocks"] + 1):
            resnet(f"decoder.up_blocks.{i}.resnets.{j}", f"decoder.up.{i}.res.{j}")
        move(f"decoder.up_blocks.{i}.upsamplers.0.conv", f"decoder.up.{i}.upsample")
    move("decoder.conv_norm_out", "decoder.out.0")
    move("decoder.conv_out", "decoder.out.2")
    if sd:
        raise ConversionError(f"unconverted vae keys: {sorted(sd)[:5]}")
    # fuse_attention stores proj_out as a Conv1d weight [C, C, 1]; its qkv likewise: what AttentionBlock reads.
    return out


def schedule_of(sc):
    """Our schedule and prediction from a diffusers scheduler config."""
    kind = sc.get("beta_schedule", "linear")
    if kind not in ("linear", "scaled_linear"):
        raise ConversionError(f"scheduler beta_schedule={kind!r} is not supported (linear or scaled_linear)")
    prediction = {"epsilon": "eps", "v_prediction": "v"}.get(sc.get("prediction_type", "epsilon"))
    if prediction is None:
        raise ConversionError(f"scheduler prediction_type={sc['prediction_type']!r} is not supported (epsilon or v_prediction)")
    if sc.get("rescale_betas_zero_snr", False):
        raise ConversionError("scheduler rescale_betas_zero_snr is not supported")
    schedule = {"kind": kind, "beta_start": sc.get("beta_start", 1e-4), "beta_end": sc.get("beta_end", 0.02),
                "timesteps": sc.get("num_train_timesteps", 1000)}
    return schedule, prediction


# The paper's loop on a large prior: DDIM inversion to a depth, then K = 30 DDIM steps back with M = 1 VPS correction
# each (90 evaluations). A row per task the latent path runs, named as the restoration parameters (strength = depth as
# a fraction of T), written into config.json so that a user can tune them per model (the bundled pixel model keeps the
# library's tuned table). Depths from the method note's expected ranges (0.05-0.2 mild, 0.3-0.7 strong damage; the
# paper's SDXL figure repairs heavy JPEG) and gamma at its low end: not measured on a real SD checkpoint here (none
# can be downloaded).
LATENT_PRESETS = {
    "blind": {"strength": 0.2, "steps": 30, "gamma": 0.05, "vps_iters": 1},
    "denoise": {"strength": 0.3, "steps": 30, "gamma": 0.05, "vps_iters": 1},
    "jpeg": {"strength": 0.3, "steps": 30, "gamma": 0.05, "vps_iters": 1},
}


def empty_prompt_conditioning(pipe, family, native_size):
    """The tensors of conditioning.safetensors, from the pipeline's own text encoders."""
    with torch.no_grad():
        if family == "sdxl":
            embeds, _, pooled, _ = pipe.encode_prompt("", device="cpu", num_images_per_prompt=1, do_classifier_free_guidance=False)
            h, w = native_size
            return {"context": embeds[0].float(), "text_embeds": pooled[0].float(),
                    "time_ids": torch.tensor([h, w, 0, 0, h, w], dtype=torch.float32)}
        embeds, _ = pipe.encode_prompt("", device="cpu", num_images_per_prompt=1, do_classifier_free_guidance=False)
        return {"context": embeds[0].float()}


def load_pipeline(path, config=None):
    """(pipeline, family) from a pipeline folder or a single-file checkpoint, offline."""
    import diffusers
    if os.path.isdir(path):
        index = os.path.join(path, "model_index.json")
        if not os.path.exists(index):
            raise ConversionError(f"{path} is not a diffusers pipeline folder (no model_index.json)")
        with open(index) as f:
            name = json.load(f).get("_class_name")
        if name not in PIPELINES:
            raise ConversionError(f"{path}: pipeline class {name!r} is not supported (known: {', '.join(sorted(PIPELINES))})")
        extra = {"safety_checker": None, "requires_safety_checker": False} if PIPELINES[name] == "sd" else {}
        try:
            pipe = getattr(diffusers, name).from_pretrained(path, local_files_only=True, torch_dtype=torch.float32, **extra)
        except Exception as e:  # diffusers raises many kinds (a missing component, a broken file); the user needs its words
            raise ConversionError(f"diffusers could not load {path} offline: {e}") from e
        return pipe, PIPELINES[name]
    if os.path.isfile(path):
        if config is None:
            raise ConversionError(f"{path} is a single file: name a pipeline folder of the same architecture with --config "
                                  "(diffusers would otherwise download one)")
        with open(os.path.join(config, "model_index.json")) as f:
            name = json.load(f).get("_class_name")
        if name not in PIPELINES:
            raise ConversionError(f"{config}: pipeline class {name!r} is not supported")
        try:
            pipe = getattr(diffusers, name).from_single_file(path, config=config, local_files_only=True, torch_dtype=torch.float32)
        except Exception as e:  # diffusers raises many kinds; the user needs its words
            raise ConversionError(f"diffusers could not load {path} offline: {e}") from e
        return pipe, PIPELINES[name]
    raise ConversionError(f"{path}: no such file or folder")


def convert(pipe, family, out_folder, dtype=torch.float32, source="", about=None):
    """Writes the model folder for a loaded pipeline; returns its config dict."""
    factor = 2 ** (len(pipe.vae.config.block_out_channels) - 1)
    native = pipe.unet.config.sample_size * factor
    native_size = tuple(native) if isinstance(native, (list, tuple)) else (native, native)
    conditioning = empty_prompt_conditioning(pipe, family, native_size)
    return convert_parts(pipe.unet, pipe.vae, dict(pipe.scheduler.config), conditioning, family, out_folder, dtype, source, about)


def convert_parts(unet, vae, scheduler_config, conditioning, family, out_folder, dtype=torch.float32, source="", about=None):
    """Writes the model folder from a UNet2DConditionModel, an AutoencoderKL, a scheduler config and the conditioning
    tensors (see the module docstring); returns its config dict."""
    unet_cfg = unet_config(dict(unet.config))
    vae_cfg = vae_config(dict(vae.config))
    if vae_cfg["latent_channels"] != unet_cfg["in_channels"]:
        raise ConversionError(f"the vae has {vae_cfg['latent_channels']} latent channels, the unet takes {unet_cfg['in_channels']}")
    if (family == "sdxl") != ("added_embedding" in unet_cfg):
        raise ConversionError("an SDXL pipeline needs a UNet with added text and time embeddings, and only it")
    schedule, prediction = schedule_of(scheduler_config)
    if conditioning["context"].shape[-1] != unet_cfg["transformer"]["context_dim"]:
        raise ConversionError(f"the text encoders give a context of width {conditioning['context'].shape[-1]}, "
                              f"the unet attends to {unet_cfg['transformer']['context_dim']}")
    factor = 2 ** (len(vae_cfg["level_channels"]) - 1)
    native = unet.config.sample_size
    native = native[0] if isinstance(native, (list, tuple)) else native
    unet_state = rename_unet(unet.state_dict(), unet_cfg)
    vae_state = rename_vae(vae.state_dict(), vae_cfg)
    os.makedirs(out_folder, exist_ok=True)
    vae_cfg["weights"] = "vae.safetensors"
    vae_cfg["weights_sha256"] = write_weights(out_folder, "vae.safetensors", vae_state, dtype)
    config = {"format": "dreamclean-model", "format_version": FORMAT_VERSION, "architecture": "sd", "family": family,
              "unet": unet_cfg, "schedule": schedule, "prediction": prediction, "learn_sigma": False,
              "value_range": [-1.0, 1.0], "weights": "model.safetensors",
              "weights_sha256": write_weights(out_folder, "model.safetensors", unet_state, dtype),
              "vae": vae_cfg, "conditioning": "conditioning.safetensors", "source": source,
              "tiling": {"training_size": native * factor}, "presets": LATENT_PRESETS}
    write_weights(out_folder, "conditioning.safetensors", conditioning, torch.float32)
    if about:
        config["about"] = about
    write_config(out_folder, config)
    return config


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("pipeline", help="a diffusers pipeline folder, or a single-file checkpoint with --config")
    p.add_argument("out_folder")
    p.add_argument("--config", help="for a single-file checkpoint: a pipeline folder of the same architecture")
    p.add_argument("--dtype", choices=["f32", "f16"], default="f16")
    add_about_arguments(p)
    args = p.parse_args()
    try:
        pipe, family = load_pipeline(args.pipeline, args.config)
        convert(pipe, family, args.out_folder, torch.float16 if args.dtype == "f16" else torch.float32,
                source=f"diffusers {type(pipe).__name__} {args.pipeline}", about=about_from(args))
    except ConversionError as e:
        print(f"convert_sd: error: {e}", file=sys.stderr)
        sys.exit(2)
    print(f"wrote {args.out_folder}")


if __name__ == "__main__":
    main()
