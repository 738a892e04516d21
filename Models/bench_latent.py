# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The DreamClean authors
"""`make bench`'s Stable Diffusion rows: the real architectures with random weights (no checkpoint can be downloaded
here) in DreamClean (f32, and bf16 where the CPU has it) and in PyTorch (diffusers' own modules, eager and
torch.compile) at the same thread count, each engine in its own process so that its peak resident memory is its own:

- the SD 1.5 UNet at 64x64 latents (a 512x512 image), the SD autoencoder's encoder at 512x512 and decoder at 64x64
  latents, and the SDXL base UNet at 128x128 latents (1024x1024);
- one whole 512x512 restoration through the CLI with the SD 1.5 model folder at its presets, within
  max_memory_mb 8192 (its time and peak resident memory).

    python3 Models/bench_latent.py --swift-bench .build/release/dreamclean-bench --cli .build/release/dreamclean
        [--parts sd15-unet,sd-encode,sd-decode,sdxl-unet] [--runs 3] [--no-compile] [--no-restore]

Prints a markdown table; ratios are PyTorch's time / ours.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from bench import peak_rss_mib, run_json  # noqa: E402  (one process's peak, a child's JSON line)

# part: (description, model folder, our --part, input shape NCHW)
PARTS = {
    "sd15-unet": ("SD 1.5 UNet, 64x64 latents", "sd15", "unet", (1, 4, 64, 64)),
    "sd-encode": ("SD autoencoder, encoder at 512x512", "sd15", "encode", (1, 3, 512, 512)),
    "sd-decode": ("SD autoencoder, decoder at 64x64 latents", "sd15", "decode", (1, 4, 64, 64)),
    "sdxl-unet": ("SDXL base UNet, 128x128 latents", "sdxl", "unet", (1, 4, 128, 128)),
}


def prepare(name, root):
    """The random-weight model folder (our format, f16 weights) and the diffusers modules' folder beside it, made once."""
    import torch
    from diffusers import UNet2DConditionModel, AutoencoderKL
    from dreamclean_models import convert_sd
    from dreamclean_models.configs import (SD15_UNET_DIFFUSERS, SDXL_UNET_DIFFUSERS, SD_VAE_DIFFUSERS, SD_SCHEDULER,
                                           SDXL_VAE_SCALING)
    folder = os.path.join(root, name)
    if os.path.exists(os.path.join(folder, "config.json")):
        return folder
    torch.manual_seed(0)
    xl = name == "sdxl"
    unet = UNet2DConditionModel(**(SDXL_UNET_DIFFUSERS if xl else SD15_UNET_DIFFUSERS)).eval()
    vae = AutoencoderKL(**{**SD_VAE_DIFFUSERS, **({"scaling_factor": SDXL_VAE_SCALING} if xl else {})}).eval()
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():  # diffusers zero-initialises some output layers; random everywhere, rounded to the stored f16
        for module in (unet, vae):
            for p in module.parameters():
                if not p.abs().sum():
                    p.copy_(0.02 * torch.randn(p.shape, generator=g))
                p.copy_(p.half().float())
    width = unet.config.cross_attention_dim
    conditioning = {"context": torch.randn(77, width, generator=g)}  # stands in for the text encoders' output
    if xl:
        conditioning.update(text_embeds=torch.randn(1280, generator=g), time_ids=torch.tensor([1024.0, 1024, 0, 0, 1024, 1024]))
    unet.save_pretrained(os.path.join(folder, "diffusers-unet"))
    vae.save_pretrained(os.path.join(folder, "diffusers-vae"))
    convert_sd.convert_parts(unet, vae, SD_SCHEDULER, conditioning, "sdxl" if xl else "sd", folder, dtype=torch.float16,
                             source="random weights in the real configuration (bench_latent.py)")
    return folder


def torch_inputs(part, folder):
    import torch
    from safetensors.torch import load_file
    shape = PARTS[part][3]
    x = torch.randn(*shape, generator=torch.Generator().manual_seed(0))
    conditioning = load_file(os.path.join(folder, "conditioning.safetensors"))
    return x, conditioning


def load_torch(part, folder):
    """forward() of the part in PyTorch (diffusers' module with the same weights)."""
    import torch
    from diffusers import UNet2DConditionModel, AutoencoderKL
    x, conditioning = torch_inputs(part, folder)
    kind = PARTS[part][2]
    if kind == "unet":
        model = UNet2DConditionModel.from_pretrained(os.path.join(folder, "diffusers-unet"), torch_dtype=torch.float32).eval()
        context = conditioning["context"][None]
        added = ({"text_embeds": conditioning["text_embeds"][None], "time_ids": conditioning["time_ids"][None]}
                 if "text_embeds" in conditioning else None)
        t = torch.tensor([500.0])
        return model, x, lambda m, x: m(x, t, encoder_hidden_states=context, added_cond_kwargs=added).sample
    model = AutoencoderKL.from_pretrained(os.path.join(folder, "diffusers-vae"), torch_dtype=torch.float32).eval()
    if kind == "encode":
        return model, x, lambda m, x: m.encode(x).latent_dist.mean
    return model, x, lambda m, x: m.decode(x).sample


def count(part, folder):
    """(parameters, GFLOP of one forward), counted by PyTorch on the meta device."""
    import torch
    from torch.utils.flop_counter import FlopCounterMode
    from diffusers import UNet2DConditionModel, AutoencoderKL
    kind = PARTS[part][2]
    sub = "diffusers-unet" if kind == "unet" else "diffusers-vae"
    cls = UNet2DConditionModel if kind == "unet" else AutoencoderKL
    with open(os.path.join(folder, sub, "config.json")) as f:
        config = {k: v for k, v in json.load(f).items() if not k.startswith("_")}
    with torch.device("meta"):
        model = cls(**config).eval()
        x = torch.empty(*PARTS[part][3])
        with FlopCounterMode(display=False) as counter, torch.no_grad():
            if kind == "unet":
                width = model.config.cross_attention_dim
                added = ({"text_embeds": torch.empty(1, 1280), "time_ids": torch.empty(1, 6)}
                         if model.config.addition_embed_type else None)
                model(x, torch.tensor([500.0]), encoder_hidden_states=torch.empty(1, 77, width), added_cond_kwargs=added)
            elif kind == "encode":
                model.encode(x)
            else:
                model.decode(x)
    params = sum(p.numel() for p in model.parameters())
    if kind == "encode":
        params = sum(p.numel() for n, p in model.named_parameters() if n.startswith(("encoder.", "quant_conv.")))
    elif kind == "decode":
        params = sum(p.numel() for n, p in model.named_parameters() if n.startswith(("decoder.", "post_quant_conv.")))
    return params, counter.get_total_flops() / 1e9


def torch_worker(args):
    import torch
    torch.set_num_threads(args.threads)
    model, x, call = load_torch(args.part, args.model)
    forward = lambda: call(model, x)  # noqa: E731
    if args.mode == "compile":
        model = model.to(memory_format=torch.channels_last)
        x = x.to(memory_format=torch.channels_last)
        compiled = torch.compile(lambda x: call(model, x))
        forward = lambda: compiled(x)  # noqa: E731
    with torch.inference_mode():
        start = time.perf_counter()
        forward()
        first = time.perf_counter() - start
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            forward()
            times.append(time.perf_counter() - start)
    print(json.dumps({"first_ms": first * 1e3, "median_ms": statistics.median(times) * 1e3, "peak_rss_mib": peak_rss_mib()}))


def restore_row(cli, folder, tmp):
    """(seconds, peak resident MiB, plan) of one 512x512 blind restoration at the model's presets, max_memory_mb 8192."""
    import numpy as np
    from PIL import Image
    src, dst = os.path.join(tmp, "photo-512.png"), os.path.join(tmp, "restored-512.png")
    example = np.asarray(Image.open(os.path.join(os.path.dirname(HERE), "examples", "images", "noisy.png")).convert("RGB"))
    while example.shape[0] < 512 or example.shape[1] < 512:
        example = np.concatenate([example, example[::-1]], 0)
        example = np.concatenate([example, example[:, ::-1]], 1)
    Image.fromarray(example[:512, :512]).save(src)
    options = ["--model", folder, "--max-memory-mb", "8192", "--seed", "1"]
    plan = run_json([cli, "plan", src, "--json", *options])
    start = time.perf_counter()
    # Through /usr/bin/time: a child forked from this (large) process would report this process's peak as its own
    # (Linux copies the resident high-water mark at fork).
    result = subprocess.run(["/usr/bin/time", "-f", "%M", cli, "restore", src, dst, "--quiet", *options],
                            capture_output=True, text=True)
    if result.returncode:
        sys.exit(f"bench_latent: the CLI failed ({result.returncode}): {result.stderr}")
    return time.perf_counter() - start, int(result.stderr.strip().splitlines()[-1]) / 1024, plan


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--swift-bench", default=".build/release/dreamclean-bench")
    p.add_argument("--cli", default=".build/release/dreamclean")
    p.add_argument("--parts", default="sd15-unet,sd-encode,sd-decode,sdxl-unet", help="'' for the restoration alone")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--threads", type=int, default=int(os.environ.get("BENCH_THREADS", "2")))
    p.add_argument("--root", default=".build/bench-models")
    p.add_argument("--no-compile", action="store_true", help="skip torch.compile")
    p.add_argument("--no-restore", action="store_true", help="skip the whole 512x512 restoration")
    p.add_argument("--torch-worker", dest="mode", choices=["eager", "compile"], help=argparse.SUPPRESS)
    p.add_argument("--model", help=argparse.SUPPRESS)
    p.add_argument("--part", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.mode:
        return torch_worker(args)

    rows = []
    for part in filter(None, args.parts.split(",")):
        description, name, kind, shape = PARTS[part]
        folder = prepare(name, args.root)
        params, gflop = count(part, folder)
        print(f"{part}: {params / 1e6:.1f} M parameters, {gflop:.0f} GFLOP; timing...", file=sys.stderr, flush=True)
        swift = [args.swift_bench, "--model", folder, "--part", kind, "--runs", str(args.runs), "--threads", str(args.threads),
                 "--height", str(shape[2]), "--width", str(shape[3]), "--pool-mib", "2048"]
        ours = run_json(swift)
        half = run_json(swift + ["--precision", "bf16"])
        half = half if half.get("precision") == "bf16" else None
        worker = [sys.executable, os.path.abspath(__file__), "--model", folder, "--part", part, "--runs", str(args.runs),
                  "--threads", str(args.threads), "--torch-worker"]
        eager = run_json(worker + ["eager"])
        compiled = None
        if not args.no_compile:
            try:
                compiled = run_json(worker + ["compile"])
            except subprocess.CalledProcessError as e:  # inductor's compile can run out of memory on the largest UNet
                print(f"{part}: torch.compile failed ({e.returncode}): {e.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
        rows.append((description, params, gflop, ours, half, eager, compiled))

    print(f"\nbatch 1, {args.threads} threads, median of {args.runs} runs after one warm-up, random weights in the real "
          "configurations; ratios are PyTorch's time / ours (above 1.00x: we are faster).\n")
    print("| part | params | GFLOP | ours f32 ms | ours GFLOP/s | ours peak MiB | ours bf16 ms | bf16 peak MiB | eager ms "
          "| eager peak MiB | compile ms | compile peak MiB | compile wait s | f32 vs eager | f32 vs compile | bf16 vs compile |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for description, params, gflop, ours, half, eager, compiled in rows:
        ms = lambda run: f"{run['median_ms']:.0f}" if run else "-"  # noqa: E731
        mib = lambda run: f"{run['peak_rss_mib']:.0f}" if run else "-"  # noqa: E731
        ratio = lambda slow, fast: f"{slow['median_ms'] / fast['median_ms']:.2f}x" if slow and fast else "-"  # noqa: E731
        wait = f"{(compiled['first_ms'] - compiled['median_ms']) / 1e3:.0f}" if compiled else "-"
        print(f"| {description} | {params / 1e6:.1f} M | {gflop:.0f} | {ms(ours)} | {gflop / ours['median_ms'] * 1e3:.0f} | "
              f"{mib(ours)} | {ms(half)} | {mib(half)} | {ms(eager)} | {mib(eager)} | {ms(compiled)} | {mib(compiled)} | {wait} | "
              f"{ratio(eager, ours)} | {ratio(compiled, ours)} | {ratio(compiled, half)} |")
    if not args.no_restore:
        import tempfile
        with tempfile.TemporaryDirectory() as tmp:
            seconds, peak, plan = restore_row(args.cli, prepare("sd15", args.root), tmp)
        print(f"\nA whole 512x512 blind restoration with the SD 1.5 folder (random weights) at its presets (strength "
              f"{plan['strength']}, {plan['steps']} steps, vps_iters {plan['vps_iters']}), max_memory_mb 8192: "
              f"{seconds:.1f} s, peak resident {peak:.0f} MiB (the plan's peak {plan['peak_bytes'] / 2**20:.0f} MiB; "
              f"autoencoder tile {plan['autoencoder_tile']}, unet tile {plan['unet_tile']} latent positions).")


if __name__ == "__main__":
    main()
