# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The DreamClean authors
"""`make bench`: one 256x256 forward pass (`--size`), batch 1, of three UNets with random weights, in DreamClean, in PyTorch
(eager and torch.compile with inductor and channels_last), and in ONNX Runtime and OpenVINO (CPU, fp32, the same
weights exported through ONNX) at the same thread count. Each engine runs in its own process so that its peak
resident memory is its own. Prints a markdown table; ratios are the other engine's time / ours.

    python3 Models/bench.py --swift-bench .build/release/dreamclean-bench [--models adm,ddpm,default] [--runs 3] [--size 256]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

MODELS = {
    "adm": "ADM ImageNet-256 (guided-diffusion)",
    "ddpm": "DDPM CelebA-HQ 256 (diffusers UNet2DModel)",
    "default": "the default model (Models/default, its trained weights)",
    "compact": "compact c32 (the default model's architecture before session 12, random weights)",
}


def prepare(name, root):
    """Creates the random-weight model folder (f16 weights, our format) once; returns its path. "default" is the shipped
    model itself."""
    if name == "default":
        return os.path.join(os.path.dirname(HERE), "Models", "default")
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


def count(folder, size):
    """(parameters, GFLOP per size x size forward), counted by PyTorch on the meta device."""
    import torch
    from torch.utils.flop_counter import FlopCounterMode
    from dreamclean_models.adm import UNet, UNetConfig
    with open(os.path.join(folder, "config.json")) as f:
        cfg = UNetConfig.from_dict(json.load(f)["unet"])
    with torch.device("meta"):
        model = UNet(cfg)
        x = torch.empty(1, cfg.in_channels, size, size)
        with FlopCounterMode(display=False) as counter:
            model(x, torch.tensor([500.0]))
    return sum(p.numel() for p in model.parameters()), counter.get_total_flops() / 1e9


def torch_worker(args):
    """Runs in a child process: loads the weights, times the forward passes, prints one JSON line."""
    import torch
    torch.set_num_threads(args.threads)
    model, forward = load_torch(args.model, args.family)
    x, t = bench_input(args.size)
    if args.mode == "compile":
        model = model.to(memory_format=torch.channels_last)
        x = x.to(memory_format=torch.channels_last)
        forward = torch.compile(forward)
    with torch.inference_mode():
        print(json.dumps(time_calls(lambda: forward(x, t), args.runs)))


def export_onnx(folder, family, size, root):
    """The model as ONNX for size x size inputs (`root/family/model-SIZE.onnx`, made once from the same weights), for
    ONNX Runtime and OpenVINO."""
    import torch
    path = onnx_path(root, family, size)
    if os.path.exists(path):
        return path
    model, forward = load_torch(folder, family)

    class Wrapped(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.model = model

        def forward(self, x, t):
            return forward(x, t)

    x, t = bench_input(size)
    with torch.inference_mode(), warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # the TorchScript exporter, chosen: the new one needs onnxscript
        torch.onnx.export(Wrapped().eval(), (x, t), path + ".part", input_names=["x", "t"], output_names=["eps"],
                          opset_version=17, dynamo=False)
        want = forward(x, t).numpy()
    # The export must compute what PyTorch does before its time means anything: fp32 reorderings only.
    import onnxruntime as ort
    got = ort.InferenceSession(path + ".part", providers=["CPUExecutionProvider"]).run(None, {"x": x.numpy(), "t": t.numpy()})[0]
    error = float(abs(got - want).max() / max(abs(want).max(), 1e-12))
    print(f"{family}: ONNX export, ONNX Runtime against PyTorch: max error {error:.1e} of the largest output", file=sys.stderr)
    if error > 1e-4:
        sys.exit(f"bench: the ONNX export of {family} does not compute what PyTorch does ({error:.1e})")
    os.replace(path + ".part", path)
    return path


def onnx_path(root, family, size):
    os.makedirs(os.path.join(root, family), exist_ok=True)
    return os.path.join(root, family, f"model-{size}.onnx")


def load_torch(folder, family):
    """(module, forward(x, t)) in PyTorch, from the folder's weights."""
    from dreamclean_models.modelfile import load_model
    if family == "ddpm":
        from diffusers import UNet2DModel
        model = UNet2DModel.from_pretrained(os.path.join(folder, "diffusers")).eval()
        return model, lambda x, t: model(x, t).sample
    model, _ = load_model(folder)
    return model, model


def bench_input(size):
    import torch
    return torch.randn(1, 3, size, size, generator=torch.Generator().manual_seed(0)), torch.tensor([500.0])


def time_calls(forward, runs):
    """{first_ms, ms, median_ms, peak_rss_mib} of a warm-up call and `runs` timed ones."""
    start = time.perf_counter()
    forward()
    first = time.perf_counter() - start
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        forward()
        times.append(time.perf_counter() - start)
    return {"first_ms": first * 1e3, "ms": [s * 1e3 for s in times], "median_ms": statistics.median(times) * 1e3,
            "peak_rss_mib": peak_rss_mib()}


def onnx_worker(args):
    """Runs in a child process: the ONNX export in ONNX Runtime (mode "ort") or OpenVINO (mode "openvino"), CPU, fp32,
    `args.threads` threads; prints one JSON line."""
    x, t = (v.numpy() for v in bench_input(args.size))
    t = t.astype("float32")
    path = onnx_path(args.root, args.family, args.size)
    if args.mode == "ort":
        import onnxruntime as ort
        options = ort.SessionOptions()
        options.intra_op_num_threads = args.threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
        forward = lambda: session.run(None, {"x": x, "t": t})  # noqa: E731
    else:
        import openvino as ov
        compiled = ov.Core().compile_model(path, "CPU", {"INFERENCE_NUM_THREADS": args.threads,
                                                         "INFERENCE_PRECISION_HINT": "f32"})
        request = compiled.create_infer_request()
        forward = lambda: request.infer({"x": x, "t": t})  # noqa: E731
    print(json.dumps(time_calls(forward, args.runs)))


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
    p.add_argument("--models", default="adm,ddpm,default")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--size", type=int, default=256, help="the input's side in pixels")
    p.add_argument("--threads", type=int, default=int(os.environ.get("BENCH_THREADS", "2")))
    p.add_argument("--root", default=".build/bench-models")
    p.add_argument("--no-compile", action="store_true", help="skip torch.compile (it takes minutes on big models)")
    p.add_argument("--no-onnx", action="store_true", help="skip ONNX Runtime and OpenVINO")
    p.add_argument("--fma-peak", default=".build/fma_peak", help="the FMA peak program (Tests/bench/fma_peak.c); '' to skip")
    p.add_argument("--torch-worker", dest="mode", choices=["eager", "compile", "ort", "openvino"], help=argparse.SUPPRESS)
    p.add_argument("--model", help=argparse.SUPPRESS)
    p.add_argument("--family", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.mode in ("ort", "openvino"):
        return onnx_worker(args)
    if args.mode:
        return torch_worker(args)

    peak = run_json([args.fma_peak, str(args.threads)])["gflops"] if args.fma_peak else None
    rows = []
    for name in args.models.split(","):
        folder = prepare(name, args.root)
        params, gflop = count(folder, args.size)
        print(f"{name}: {params / 1e6:.1f} M parameters, {gflop:.0f} GFLOP; timing...", file=sys.stderr, flush=True)
        swift = [args.swift_bench, "--model", folder, "--runs", str(args.runs), "--threads", str(args.threads),
                 "--height", str(args.size), "--width", str(args.size),
                 # Activations grow with the area; a restore sizes its buffer pool from its memory plan alike.
                 "--pool-mib", str(512 * max(args.size * args.size // (256 * 256), 1))]
        ours = run_json(swift)
        # bf16 convolutions where the CPU has them (the bench says "f32" back where it does not).
        half = run_json(swift + ["--precision", "bf16"])
        half = half if half.get("precision") == "bf16" else None
        # int8 where the model ships a calibration (the shipped default does) and the CPU has VNNI.
        quantized = run_json(swift + ["--precision", "int8"])
        quantized = quantized if quantized.get("precision") == "int8" else None
        worker = [sys.executable, os.path.abspath(__file__), "--model", folder, "--family", name, "--runs", str(args.runs),
                  "--threads", str(args.threads), "--size", str(args.size), "--root", args.root, "--torch-worker"]
        eager = run_json(worker + ["eager"])
        compiled = None if args.no_compile else run_json(worker + ["compile"])
        runtimes = {}
        if not args.no_onnx:
            export_onnx(folder, name, args.size, args.root)
            runtimes = {mode: run_json(worker + [mode]) for mode in ("ort", "openvino")}
        rows.append((name, params, gflop, ours, half, quantized, eager, compiled, runtimes))

    print(f"\nfp32, {args.size}x{args.size}, batch 1, {args.threads} threads, median of {args.runs} runs after one warm-up; "
          f"ratios are the other engine's time / ours (above 1.00x: we are faster)"
          + (f"; this machine's fp32 FMA peak at {args.threads} threads: {peak:.0f} GFLOP/s (Tests/bench/fma_peak.c)" if peak else "")
          + ".\n")
    print("| model | params | GFLOP | ours ms | ours GFLOP/s | of the FMA peak | ours peak MiB | first call ms | eager ms | eager peak MiB "
          "| compile ms | compile peak MiB | compile wait s | ONNX Runtime ms | OpenVINO ms | vs eager | vs compile "
          "| vs ONNX Runtime | vs OpenVINO | ours bf16 ms | bf16 speed-up | bf16 vs ONNX Runtime "
          "| ours int8 ms | int8 speed-up | int8 vs bf16 | int8 vs ONNX Runtime |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, params, gflop, ours, half, quantized, eager, compiled, runtimes in rows:
        ms = lambda run: f"{run['median_ms']:.0f}" if run else "-"  # noqa: E731
        of_peak = lambda rate: f"{rate / peak:.0%}" if peak else "-"  # noqa: E731
        ratio = lambda run: f"{run['median_ms'] / ours['median_ms']:.2f}x" if run else "-"  # noqa: E731
        speedup = lambda slow, fast: f"{slow['median_ms'] / fast['median_ms']:.2f}x" if slow and fast else "-"  # noqa: E731
        c_peak = f"{compiled['peak_rss_mib']:.0f}" if compiled else "-"
        c_wait = f"{(compiled['first_ms'] - compiled['median_ms']) / 1e3:.0f}" if compiled else "-"
        ort, openvino = runtimes.get("ort"), runtimes.get("openvino")
        print(f"| {MODELS[name]} | {params / 1e6:.1f} M | {gflop:.0f} | {ours['median_ms']:.0f} | "
              f"{gflop / ours['median_ms'] * 1e3:.0f} | {of_peak(gflop / ours['median_ms'] * 1e3)} | {ours['peak_rss_mib']:.0f} | {ours['first_ms']:.0f} | "
              f"{eager['median_ms']:.0f} | {eager['peak_rss_mib']:.0f} | {ms(compiled)} | {c_peak} | {c_wait} | "
              f"{ms(ort)} | {ms(openvino)} | {ratio(eager)} | {ratio(compiled)} | {ratio(ort)} | {ratio(openvino)} | "
              f"{ms(half)} | {speedup(ours, half)} | {speedup(ort, half)} | "
              f"{ms(quantized)} | {speedup(ours, quantized)} | {speedup(half, quantized)} | {speedup(ort, quantized)} |")

if __name__ == "__main__":
    main()
