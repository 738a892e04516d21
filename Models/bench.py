# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The DreamClean authors
"""`make bench`: one 256x256 forward pass, batch 1, of three UNets with random weights, in DreamClean and in PyTorch
(eager and torch.compile with inductor and channels_last) on the same weights and thread count. Each engine runs in its
own process so that its peak resident memory is its own. Prints a markdown table; ratios are PyTorch time / ours.

    python3 Models/bench.py --swift-bench .build/release/dreamclean-bench [--models adm,ddpm,compact] [--runs 3]
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

MODELS = {
    "adm": "ADM ImageNet-256 (guided-diffusion)",
    "ddpm": "DDPM CelebA-HQ 256 (diffusers UNet2DModel)",
    "compact": "compact CPU default (Models/default architecture)",
}


def prepare(name, root):
    """Creates the random-weight model folder (f16 weights, our format) once; returns its path."""
    import torch
    from dreamclean_models.adm import UNet
    from dreamclean_models.configs import imagenet256_uncond, default_cpu, DDPM_CELEBAHQ_256_DIFFUSERS
    from dreamclean_models.modelfile import save_model, randomize
    folder = os.path.join(root, name)
    if os.path.exists(os.path.join(folder, "config.json")):
        return folder
    torch.manual_seed(0)
    if name == "ddpm":
        from diffusers import UNet2DModel
        from dreamclean_models import convert_diffusers
        model = UNet2DModel(**{k: v for k, v in DDPM_CELEBAHQ_256_DIFFUSERS.items() if not k.startswith("_")})
        with torch.no_grad():
            for p in model.parameters():
                p.copy_(p.half().float())
        model.save_pretrained(os.path.join(folder, "diffusers"))
        convert_diffusers.convert(DDPM_CELEBAHQ_256_DIFFUSERS, model.state_dict(), folder, dtype=torch.float16,
                                  source="random weights (bench)")
    else:
        cfg = imagenet256_uncond() if name == "adm" else default_cpu()
        model = UNet(cfg)
        randomize(model, 1)
        save_model(folder, model.state_dict(), cfg, learn_sigma=cfg.out_channels == 6, dtype=torch.float16,
                   source="random weights (bench)")
    return folder


def count(name, folder):
    """(parameters, GFLOP per 256x256 forward), counted by PyTorch on the meta device."""
    import torch
    from torch.utils.flop_counter import FlopCounterMode
    from dreamclean_models.adm import UNet, UNetConfig
    with open(os.path.join(folder, "config.json")) as f:
        cfg = UNetConfig.from_dict(json.load(f)["unet"])
    with torch.device("meta"):
        model = UNet(cfg)
        x = torch.empty(1, cfg.in_channels, 256, 256)
        with FlopCounterMode(display=False) as counter:
            model(x, torch.tensor([500.0]))
    return sum(p.numel() for p in model.parameters()), counter.get_total_flops() / 1e9


def torch_worker(args):
    """Runs in a child process: loads the weights, times the forward passes, prints one JSON line."""
    import torch
    torch.set_num_threads(args.threads)
    from dreamclean_models.modelfile import load_model
    if args.family == "ddpm":
        from diffusers import UNet2DModel
        model = UNet2DModel.from_pretrained(os.path.join(args.model, "diffusers")).eval()
        forward = lambda x, t: model(x, t).sample  # noqa: E731
    else:
        model, _ = load_model(args.model)
        forward = model
    x = torch.randn(1, 3, 256, 256, generator=torch.Generator().manual_seed(0))
    t = torch.tensor([500.0])
    if args.mode == "compile":
        model = model.to(memory_format=torch.channels_last)
        x = x.to(memory_format=torch.channels_last)
        forward = torch.compile(forward)
    times = []
    with torch.inference_mode():
        start = time.perf_counter()
        forward(x, t)
        first = time.perf_counter() - start
        for _ in range(args.runs):
            start = time.perf_counter()
            forward(x, t)
            times.append(time.perf_counter() - start)
    print(json.dumps({"first_ms": first * 1e3, "ms": [s * 1e3 for s in times], "median_ms": statistics.median(times) * 1e3,
                      "peak_rss_mib": peak_rss_mib()}))


def peak_rss_mib():
    """VmHWM of this process (ru_maxrss would carry over the parent's peak across fork and exec)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return -1.0


def run_json(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--swift-bench", default=".build/release/dreamclean-bench")
    p.add_argument("--models", default="adm,ddpm,compact")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--threads", type=int, default=int(os.environ.get("BENCH_THREADS", "2")))
    p.add_argument("--root", default=".build/bench-models")
    p.add_argument("--no-compile", action="store_true", help="skip torch.compile (it takes minutes on big models)")
    p.add_argument("--torch-worker", dest="mode", choices=["eager", "compile"], help=argparse.SUPPRESS)
    p.add_argument("--model", help=argparse.SUPPRESS)
    p.add_argument("--family", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.mode:
        return torch_worker(args)

    rows = []
    for name in args.models.split(","):
        folder = prepare(name, args.root)
        params, gflop = count(name, folder)
        print(f"{name}: {params / 1e6:.1f} M parameters, {gflop:.0f} GFLOP; timing...", file=sys.stderr, flush=True)
        ours = run_json([args.swift_bench, "--model", folder, "--runs", str(args.runs), "--threads", str(args.threads)])
        worker = [sys.executable, os.path.abspath(__file__), "--model", folder, "--family", name, "--runs", str(args.runs),
                  "--threads", str(args.threads), "--torch-worker"]
        eager = run_json(worker + ["eager"])
        compiled = None if args.no_compile else run_json(worker + ["compile"])
        rows.append((name, params, gflop, ours, eager, compiled))

    print(f"\nfp32, 256x256, batch 1, {args.threads} threads, median of {args.runs} runs after one warm-up; "
          f"ratios are PyTorch's time / ours (above 1.00x: we are faster).\n")
    print("| model | params | GFLOP | ours ms | ours GFLOP/s | ours peak MiB | first call ms | eager ms | eager peak MiB "
          "| compile ms | compile peak MiB | compile wait s | vs eager | vs compile |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, params, gflop, ours, eager, compiled in rows:
        c_ms = f"{compiled['median_ms']:.0f}" if compiled else "-"
        c_peak = f"{compiled['peak_rss_mib']:.0f}" if compiled else "-"
        c_wait = f"{(compiled['first_ms'] - compiled['median_ms']) / 1e3:.0f}" if compiled else "-"
        c_ratio = f"{compiled['median_ms'] / ours['median_ms']:.2f}x" if compiled else "-"
        print(f"| {MODELS[name]} | {params / 1e6:.1f} M | {gflop:.0f} | {ours['median_ms']:.0f} | "
              f"{gflop / ours['median_ms'] * 1e3:.0f} | {ours['peak_rss_mib']:.0f} | {ours['first_ms']:.0f} | "
              f"{eager['median_ms']:.0f} | {eager['peak_rss_mib']:.0f} | {c_ms} | {c_peak} | {c_wait} | "
              f"{eager['median_ms'] / ours['median_ms']:.2f}x | {c_ratio} |")


if __name__ == "__main__":
    main()
