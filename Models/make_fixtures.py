# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The DreamClean authors
"""Writes the parity fixtures under Tests/Fixtures: small random-weight instances of both UNet families with inputs,
timesteps and PyTorch's outputs (float32, NCHW), on a square and a non-square input.

    python3 Models/make_fixtures.py [NAME ...]   # from the repository root; deterministic (seeded); all by default

Weights are rounded to f16 (adm) and bf16 (ddpm) before the outputs are computed, so the files stay small and both
dtypes are exercised; the inputs and outputs are float32.

- adm-tiny: our ADM reference with attention (multi-head), scale-shift norm, resblock up/down and learn_sigma; every
  convolution calibrated for int8 on the committed photos (calibrate_int8.py), so that tests reach the int8 path.
- ddpm-tiny: diffusers' own UNet2DModel (the DDPM family, attention, bottom-right downsample padding), converted by
  convert_diffusers.py; its outputs come from diffusers, so the fixture also checks the converter.
- sd-tiny, sdxl-tiny: tiny Stable Diffusion pipelines (SD 1.x and SDXL conventions, the latter with v-prediction)
  with random f16 weights, converted by convert_sd.py; UNet and autoencoder outputs from diffusers.
"""
import json
import os
import subprocess
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
    subprocess.run([sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "calibrate_int8.py"), folder,
                    "--train", os.path.join(ROOT, "photos"), "--batches", "2", "--batch", "2", "--crop", "32", "--keep", ""],
                   check=True)


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


def tiny_tokenizer(folder):
    """A CLIP tokenizer with a byte-level vocabulary and no merges (no hub: the real ones are downloads): it encodes
    the empty prompt as the real ones do, start, end, then padding."""
    from transformers import CLIPTokenizer
    # GPT-2's byte-to-character table, which CLIP's byte-level BPE uses: printable bytes map to themselves, the rest to
    # characters from U+0100 up.
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("\u00a1"), ord("\u00ac") + 1), *range(ord("\u00ae"), ord("\u00ff") + 1)]
    extra = [b for b in range(256) if b not in printable]
    chars = [chr(b) for b in printable] + [chr(256 + i) for i in range(len(extra))]
    vocab = {t: i for i, t in enumerate(chars + [c + "</w>" for c in chars] + ["<|startoftext|>", "<|endoftext|>"])}
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "vocab.json"), "w") as f:
        json.dump(vocab, f)
    with open(os.path.join(folder, "merges.txt"), "w") as f:
        f.write("#version: 0.2\n")
    return CLIPTokenizer(os.path.join(folder, "vocab.json"), os.path.join(folder, "merges.txt"), model_max_length=8)


def tiny_text_encoder(projection=False):
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTextModelWithProjection
    config = CLIPTextConfig(vocab_size=514, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2,
                            max_position_embeddings=8, projection_dim=32, bos_token_id=512, eos_token_id=513, pad_token_id=513)
    return (CLIPTextModelWithProjection if projection else CLIPTextModel)(config).eval()


def tiny_vae():
    from diffusers import AutoencoderKL
    return AutoencoderKL(block_out_channels=(16, 32), down_block_types=("DownEncoderBlock2D",) * 2,
                         up_block_types=("UpDecoderBlock2D",) * 2, latent_channels=4, norm_num_groups=8, layers_per_block=1,
                         sample_size=16, scaling_factor=0.18215)


def perturb(module, seed):
    """Non-zero weights everywhere (diffusers zero-initialises some output layers, which would hide errors), rounded to
    f16 so that the stored f16 file holds exactly the weights the outputs came from."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.add_(0.1 * torch.randn(p.shape, generator=g))
        round_to(module, torch.float16)


def latent_pipeline(name, family, tmp):
    """A tiny random-weight Stable Diffusion pipeline saved to `tmp` as a diffusers folder."""
    from diffusers import UNet2DConditionModel, DDIMScheduler, StableDiffusionPipeline, StableDiffusionXLPipeline
    torch.manual_seed(0)
    common = dict(sample_size=8, in_channels=4, out_channels=4, block_out_channels=(32, 64), layers_per_block=1,
                  norm_num_groups=8)
    if family == "sd":  # SD 1.x conventions: conv projections, attention_head_dim as the head count
        unet = UNet2DConditionModel(**common, down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"),
                                    up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"), cross_attention_dim=32,
                                    attention_head_dim=2)
        scheduler = DDIMScheduler(beta_schedule="scaled_linear", beta_start=0.00085, beta_end=0.012, prediction_type="epsilon")
    else:  # SDXL conventions: linear projections, head counts per level of one width (16), depths per level, added
        # embeddings; v-prediction
        unet = UNet2DConditionModel(**common, down_block_types=("CrossAttnDownBlock2D", "CrossAttnDownBlock2D"),
                                    up_block_types=("CrossAttnUpBlock2D", "CrossAttnUpBlock2D"), cross_attention_dim=64,
                                    attention_head_dim=(2, 4), transformer_layers_per_block=(1, 2), use_linear_projection=True,
                                    addition_embed_type="text_time", addition_time_embed_dim=8,
                                    projection_class_embeddings_input_dim=6 * 8 + 32)
        scheduler = DDIMScheduler(beta_schedule="scaled_linear", beta_start=0.00085, beta_end=0.012, prediction_type="v_prediction")
    vae = tiny_vae()
    modules = [unet, vae]
    tokenizer = tiny_tokenizer(os.path.join(tmp, "tok"))
    if family == "sd":
        text = tiny_text_encoder()
        pipe = StableDiffusionPipeline(vae=vae, text_encoder=text, tokenizer=tokenizer, unet=unet, scheduler=scheduler,
                                       safety_checker=None, feature_extractor=None, requires_safety_checker=False)
        modules.append(text)
    else:
        text, text_2 = tiny_text_encoder(), tiny_text_encoder(projection=True)
        pipe = StableDiffusionXLPipeline(vae=vae, text_encoder=text, text_encoder_2=text_2, tokenizer=tokenizer,
                                         tokenizer_2=tokenizer, unet=unet, scheduler=scheduler, add_watermarker=False)
        modules += [text, text_2]
    for i, module in enumerate(modules):
        perturb(module, 10 + i)
    folder = os.path.join(tmp, name)
    pipe.save_pretrained(folder)
    return folder


def original_checkpoint(pipeline, path):
    """The diffusers pipeline folder `pipeline` as one single-file checkpoint in the original (CompVis / Stability)
    layout, as users download them (the UNet, the autoencoder and the text encoders), for the converter's single-file path. The UNet's block
    numbering is the one our converter writes (rename_unet_blocks keeps a transformer's inner names); the autoencoder's
    follows the original code (decoder levels numbered from the bottom, attention as 1x1 convolutions)."""
    from diffusers import UNet2DConditionModel, AutoencoderKL
    unet = UNet2DConditionModel.from_pretrained(os.path.join(pipeline, "unet"), local_files_only=True)
    vae = AutoencoderKL.from_pretrained(os.path.join(pipeline, "vae"), local_files_only=True)
    c = unet.config

    def attention(sd, src, dst, channels, level):
        keys = [k for k in sd if k.startswith(src + ".")]
        return {dst + k[len(src):]: sd.pop(k) for k in keys}

    extra = [("add_embedding.linear_1", "label_emb.0.0"), ("add_embedding.linear_2", "label_emb.0.2")]
    blocks = convert_diffusers.rename_unet_blocks(unet.state_dict(), list(c.block_out_channels), c.layers_per_block,
                                                  attention, True, extra if c.addition_embed_type else ())
    out = {f"model.diffusion_model.{k}": v for k, v in blocks.items()}
    levels = len(vae.config.block_out_channels)
    renames = [("encoder.conv_norm_out", "encoder.norm_out"), ("decoder.conv_norm_out", "decoder.norm_out")]
    for part in ("encoder", "decoder"):
        renames += [(f"{part}.mid_block.attentions.0.{a}", f"{part}.mid.attn_1.{b}")
                    for a, b in [("group_norm", "norm"), ("to_q", "q"), ("to_k", "k"), ("to_v", "v"), ("to_out.0", "proj_out")]]
        renames += [(f"{part}.mid_block.resnets.{j}", f"{part}.mid.block_{j + 1}") for j in range(2)]
    for i in range(levels):
        renames += [(f"encoder.down_blocks.{i}.resnets", f"encoder.down.{i}.block"),
                    (f"encoder.down_blocks.{i}.downsamplers.0", f"encoder.down.{i}.downsample"),
                    (f"decoder.up_blocks.{i}.resnets", f"decoder.up.{levels - 1 - i}.block"),
                    (f"decoder.up_blocks.{i}.upsamplers.0", f"decoder.up.{levels - 1 - i}.upsample")]
    for key, value in vae.state_dict().items():
        for a, b in renames:
            if key.startswith(a + "."):
                key = b + key[len(a):]
        key = key.replace("conv_shortcut", "nin_shortcut")
        if ".mid.attn_1." in key and key.endswith("weight") and value.ndim == 2:
            value = value[:, :, None, None]
        out[f"first_stage_model.{key}"] = value
    from transformers import CLIPTextModel, CLIPTextModelWithProjection

    def text_model(folder, kind=CLIPTextModel):  # transformers 5 dropped the text_model wrapper the originals have
        sd = kind.from_pretrained(os.path.join(pipeline, folder), local_files_only=True).state_dict()
        return {k if k.startswith("text_") else f"text_model.{k}": v for k, v in sd.items()}

    if c.addition_embed_type:  # SDXL: CLIP ViT-L in the Hugging Face layout, OpenCLIP ViT-bigG in OpenCLIP's
        out.update({f"conditioner.embedders.0.transformer.{k}": v for k, v in text_model("text_encoder").items()})
        text_2 = open_clip_layout(text_model("text_encoder_2", CLIPTextModelWithProjection))
        out.update({f"conditioner.embedders.1.model.{k}": v for k, v in text_2.items()})
    else:
        out.update({f"cond_stage_model.transformer.{k}": v for k, v in text_model("text_encoder").items()})
    save_file({k: v.contiguous() for k, v in out.items()}, path)


def open_clip_layout(sd):
    """A Hugging Face CLIPTextModelWithProjection state dict in OpenCLIP's layout (SDXL's second text encoder)."""
    fixed = {"text_model.embeddings.position_embedding.weight": "positional_embedding",
             "text_model.embeddings.token_embedding.weight": "token_embedding.weight",
             "text_model.final_layer_norm.weight": "ln_final.weight", "text_model.final_layer_norm.bias": "ln_final.bias"}
    out = {"text_projection": sd.pop("text_projection.weight").T}
    for key, value in sd.items():
        if key in fixed:
            out[fixed[key]] = value
            continue
        key = key.replace("text_model.encoder.layers.", "transformer.resblocks.")
        for a, b in [("layer_norm1", "ln_1"), ("layer_norm2", "ln_2"), (".fc1.", ".c_fc."), (".fc2.", ".c_proj."),
                     (".self_attn", ".attn")]:
            key = key.replace(a, b)
        out[key] = value
    for key in [k for k in out if ".attn.q_proj." in k]:  # q, k and v in one in_proj
        suffix = key.rsplit(".", 1)[1]
        parts = [out.pop(key.replace("q_proj", p)) for p in ("q_proj", "k_proj", "v_proj")]
        out[key.replace("q_proj." + suffix, f"in_proj_{suffix}")] = torch.cat(parts)
    return out


def latent_tiny(name, family):
    """sd-tiny / sdxl-tiny: a tiny pipeline converted by convert_sd.py, with diffusers' outputs of its UNet (latents
    16x16 and 12x20, the conditioning as the converter stored it) and of its autoencoder (encode 32x32 and 24x40
    images to the posterior mean, scaled; decode latents)."""
    from dreamclean_models import convert_sd
    from safetensors.torch import load_file
    out = os.path.join(ROOT, name)
    with tempfile.TemporaryDirectory() as tmp:
        pipe, detected = convert_sd.load_pipeline(latent_pipeline(name, family, tmp))
        assert detected == family
        convert_sd.convert(pipe, family, out, dtype=torch.float16, source=f"random weights, tiny diffusers {type(pipe).__name__} (make_fixtures.py)")
    conditioning = load_file(os.path.join(out, "conditioning.safetensors"))
    context = conditioning["context"][None]
    added = None
    if family == "sdxl":
        added = {"text_embeds": conditioning["text_embeds"][None], "time_ids": conditioning["time_ids"][None]}
    g = torch.Generator().manual_seed(6)
    cases = {}
    scale = pipe.vae.config.scaling_factor
    with torch.no_grad():
        for i, ((h, w), t) in enumerate(zip(SIZES, TIMESTEPS)):
            x = torch.randn(1, 4, h, w, generator=g)
            cases[f"input_{i}"] = x
            cases[f"timesteps_{i}"] = torch.tensor(t)
            cases[f"output_{i}"] = pipe.unet(x, torch.tensor(t), encoder_hidden_states=context, added_cond_kwargs=added).sample.float().contiguous()
            image = torch.rand(1, 3, 2 * h, 2 * w, generator=g) * 2 - 1
            cases[f"image_{i}"] = image
            cases[f"encoded_{i}"] = (pipe.vae.encode(image).latent_dist.mean * scale).contiguous()
            cases[f"decoded_{i}"] = pipe.vae.decode(x / scale).sample.contiguous()
    save_file(cases, os.path.join(out, "cases.safetensors"))


if __name__ == "__main__":
    makers = {"adm-tiny": adm_tiny, "ddpm-tiny": ddpm_tiny, "sd-tiny": lambda: latent_tiny("sd-tiny", "sd"),
              "sdxl-tiny": lambda: latent_tiny("sdxl-tiny", "sdxl")}
    names = sys.argv[1:] or list(makers)  # python3 Models/make_fixtures.py [NAME ...]: those fixtures only
    for name in names:
        makers[name]()
    for name in names:
        folder = os.path.join(ROOT, name)
        print(name, {f: os.path.getsize(os.path.join(folder, f)) for f in sorted(os.listdir(folder))})
