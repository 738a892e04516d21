# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The DreamClean authors
"""`make quality`: degrades development images in fixed, seeded ways and prints PSNR / SSIM (on [0, 1] RGB) of the
degraded input, a classical baseline, and DreamClean blind and with the known operator, plus seconds per image.

    python3 Models/quality.py [--cli .build/release/dreamclean] [--model Models/default] [--per-set 4] [--crop 128]
    python3 Models/quality.py --short        # two small crops, two tasks: the smoke test that `make test` runs

`--short` uses the photos committed in Tests/Fixtures/photos, so it runs on a fresh clone; the full table needs
../shared/datasets beside the checkout and says so when it is absent.

Images: center crops (`--crop`, a multiple of 4) of the first `--per-set` images of CBSD68, Set5 and Set14 from
../shared/datasets/test (never used for training). Baselines: CBM3D (pip `bm3d`) for noise, bicubic for SR, harmonic
(Laplace) fill for inpainting, Richardson-Lucy deconvolution for blur, the gray image itself for colorize, the JPEG itself.
"""
import argparse
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np
from PIL import Image
from scipy import ndimage

import camera_noise

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "shared", "datasets", "test")
SMOKE_PHOTOS = os.path.join(HERE, "..", "Tests", "Fixtures", "photos")
SETS = ["CBSD68", "Set5", "Set14"]
CLEAN_ROW = "clean (blind: output against input)"
PASS_THROUGH_DB = 45  # a clean photo's blind result against itself, at least


# ---- metrics ----------------------------------------------------------------------------------------------------

def psnr(a, b):
    mse = np.mean((a.astype(np.float64) - b) ** 2)
    return 99.0 if mse == 0 else 10 * np.log10(1.0 / mse)


def ssim(a, b):
    """Wang et al. 2004, Gaussian window sigma 1.5, per channel, averaged; images in [0, 1]."""
    c1, c2 = 0.01 ** 2, 0.03 ** 2
    values = []
    for ch in range(a.shape[2]):
        x, y = a[..., ch].astype(np.float64), b[..., ch].astype(np.float64)
        f = lambda z: ndimage.gaussian_filter(z, 1.5, truncate=3.5)  # noqa: E731
        mx, my = f(x), f(y)
        sxx, syy, sxy = f(x * x) - mx * mx, f(y * y) - my * my, f(x * y) - mx * my
        values.append(np.mean(((2 * mx * my + c1) * (2 * sxy + c2)) / ((mx * mx + my * my + c1) * (sxx + syy + c2))))
    return float(np.mean(values))


# ---- degradations (seeded) ---------------------------------------------------------------------------------------

def gaussian_kernel(sigma):
    r = int(np.ceil(3 * sigma))
    k = np.exp(-np.arange(-r, r + 1) ** 2 / (2 * sigma * sigma))
    k = np.outer(k, k)
    return k / k.sum()


def blur(x, sigma):
    return np.stack([ndimage.convolve(x[..., c], gaussian_kernel(sigma), mode="reflect") for c in range(3)], -1)


def jpeg(x, quality):
    buf = io.BytesIO()
    Image.fromarray(to_u8(x)).save(buf, format="JPEG", quality=quality)
    return np.asarray(Image.open(buf).convert("RGB")).astype(np.float32) / 255


def box_down(x, s):
    h, w, c = x.shape
    return x.reshape(h // s, s, w // s, s, c).mean(axis=(1, 3))


def bicubic_down(x, s):
    """Antialiased bicubic reduction, as image tools make small images (PIL's BICUBIC on float channels)."""
    h, w, c = x.shape
    return np.stack([np.asarray(Image.fromarray(x[..., i], mode="F").resize((w // s, h // s), Image.BICUBIC, reducing_gap=None))
                     for i in range(c)], -1).astype(np.float32)


def random_mask(shape, missing, seed):
    return (np.random.default_rng(seed).random(shape) >= missing).astype(np.float32)  # 1 = known


def block_mask(shape):
    m = np.ones(shape, np.float32)
    h, w = shape
    m[h // 3:h // 3 + h // 4, w // 3:w // 3 + w // 4] = 0
    return m


def to_u8(x):
    return (np.clip(x, 0, 1) * 255 + 0.5).astype(np.uint8)


# ---- classical baselines -----------------------------------------------------------------------------------------

def cbm3d(noisy, sigma):
    import bm3d
    return np.clip(bm3d.bm3d_rgb(noisy, sigma), 0, 1)


def bicubic(low, s):
    h, w, _ = low.shape
    return np.asarray(Image.fromarray(to_u8(low)).resize((w * s, h * s), Image.BICUBIC)).astype(np.float32) / 255


def harmonic_fill(x, mask, iterations=2000):
    """Missing pixels solve Laplace's equation with the known ones as boundary (Jacobi iterations)."""
    out = x.copy()
    known = mask[..., None] > 0.5
    out = np.where(known, out, x[known[..., 0]].mean(axis=0))
    for _ in range(iterations):
        p = np.pad(out, ((1, 1), (1, 1), (0, 0)), mode="edge")
        avg = (p[:-2, 1:-1] + p[2:, 1:-1] + p[1:-1, :-2] + p[1:-1, 2:]) / 4
        out = np.where(known, x, avg)
    return out


def richardson_lucy(y, sigma_blur, iterations=20):
    """Richardson-Lucy deconvolution with the known Gaussian kernel, mirrored borders, from a flat start. 20 iterations:
    on the development crops of the blur task 10, 20 and 40 gave 28.59, 28.82 and 28.72 dB (more amplify the noise);
    a mirrored Wiener filter's best flat noise-to-signal ratio (0.01 of 0.001-0.03) gave 28.15."""
    k = gaussian_kernel(sigma_blur)
    conv = lambda z: np.stack([ndimage.convolve(z[..., c], k, mode="reflect") for c in range(3)], -1)  # noqa: E731
    x = np.full_like(y, 0.5)
    for _ in range(iterations):
        x = x * conv(y / np.maximum(conv(x), 1e-6))  # the Gaussian is symmetric: its adjoint is itself
    return np.clip(x, 0, 1)


# ---- the tasks ---------------------------------------------------------------------------------------------------

def tasks(short):
    """(name, degrade(x, seed) -> (y, extra), baseline(y, extra), blind CLI args, known-operator CLI args or None)."""
    def noise(sigma):
        return (f"noise sigma {sigma}",
                lambda x, seed: (np.clip(x + np.random.default_rng(seed).normal(0, sigma / 255, x.shape), 0, 1), None),
                lambda y, e: cbm3d(y, sigma / 255), ["--task", "blind"], ["--task", "denoise", "--noise-sigma", str(sigma)])

    def jpeg_task(q):
        return (f"jpeg q{q}", lambda x, seed: (jpeg(x, q), None), lambda y, e: y, ["--task", "blind"], None)

    def sr(s):
        return (f"sr x{s} (box)", lambda x, seed: (box_down(x, s), None), lambda y, e: bicubic(y, s),
                ["--task", "blind"], ["--task", "sr", "--scale", str(s)])

    def noisy_sr(s, sigma):
        # The paper's noisy SR: box averaging, then white noise of sigma (0-1 units); the known operator is told it.
        return (f"sr x{s} (box) + noise {sigma}",
                lambda x, seed: (np.clip(box_down(x, s) + np.random.default_rng(seed).normal(0, sigma, box_down(x, s).shape), 0, 1), None),
                lambda y, e: bicubic(y, s), ["--task", "blind"],
                ["--task", "sr", "--scale", str(s), "--noise-sigma", f"{sigma * 255:g}"])

    def resized_sr(s, sigma):
        # A small image as tools make it (antialiased bicubic), with or without white noise of sigma (0-1 units); the
        # known operator is told the kernel and the level.
        def degrade(x, seed):
            low = bicubic_down(x, s)
            return np.clip(low + (np.random.default_rng(seed).normal(0, sigma, low.shape) if sigma else 0), 0, 1), None
        known = ["--task", "sr", "--scale", str(s), "--sr-kernel", "bicubic"] + (["--noise-sigma", f"{sigma * 255:g}"] if sigma else [])
        return (f"sr x{s} (bicubic)" + (f" + noise {sigma}" if sigma else ""), degrade, lambda y, e: bicubic(y, s),
                ["--task", "blind"], known)

    def inpaint(name, make_mask):
        def degrade(x, seed):
            m = make_mask(x.shape[:2], seed)
            return x * m[..., None], m
        return (name, degrade, lambda y, m: harmonic_fill(y, m), ["--task", "blind"], ["--task", "inpaint"])

    blur_task = ("blur sigma 1.6 + noise 0.01",
                 lambda x, seed: (np.clip(blur(x, 1.6) + np.random.default_rng(seed).normal(0, 0.01, x.shape), 0, 1), None),
                 lambda y, e: richardson_lucy(y, 1.6), ["--task", "blind"],
                 ["--task", "deblur", "--blur-sigma", "1.6", "--noise-sigma", "2.55"])
    gray = ("colorize", lambda x, seed: (np.repeat(x.mean(axis=2, keepdims=True), 3, axis=2), None), lambda y, e: y,
            ["--task", "blind"], ["--task", "colorize", "--gray-weights", "mean"])  # DDNM's benchmark operator
    # A gray photo as tools make it: BT.601 luma (PIL's "L"), the library's default operator.
    luma = ("colorize (luma gray)", lambda x, seed: (np.repeat((x @ np.array([0.299, 0.587, 0.114], np.float32))[..., None], 3, axis=2), None),
            lambda y, e: y, ["--task", "blind"], ["--task", "colorize"])
    # Deblurring as users call it, no noise level given: the library estimates it (at least 3/255).
    blur_unknown_noise = ("blur sigma 1.6 + noise 0.01 (level not given)",
                          lambda x, seed: (np.clip(blur(x, 1.6) + np.random.default_rng(seed).normal(0, 0.01, x.shape), 0, 1), None),
                          lambda y, e: richardson_lucy(y, 1.6), ["--task", "blind"], ["--task", "deblur", "--blur-sigma", "1.6"])

    def camera(level, noise_model="white"):
        # Measured against the camera pipeline's own noiseless result (its demosaic and colour round trip alone cost
        # about 30 dB on textured crops): the row scores the noise, not the pipeline. Known: denoise at the true
        # level (the noise's standard deviation); CBM3D at the same level.
        def degrade(x, seed):
            reference = camera_noise.clean_pipeline(x)
            y = camera_noise.camera_noise(x, level, seed=seed)
            return y, {"reference": reference, "sigma": float(np.std(y - reference) * 255)}
        if noise_model == "camera":  # blind column: the camera model with the level estimated
            return (f"camera {level}, noise_model camera (blind: level estimated)", degrade, lambda y, e: cbm3d(y, e["sigma"] / 255),
                    ["--task", "denoise", "--noise-model", "camera"],
                    lambda e: ["--task", "denoise", "--noise-model", "camera", "--noise-sigma", f"{e['sigma']:.2f}"])
        return (f"camera {level}", degrade, lambda y, e: cbm3d(y, e["sigma"] / 255), ["--task", "blind"],
                lambda e: ["--task", "denoise", "--noise-sigma", f"{e['sigma']:.2f}"])
    # A clean photo should pass through blind mode nearly unchanged: its column is the output against the input.
    clean = (CLEAN_ROW, lambda x, seed: (x, None), lambda y, e: y, ["--task", "blind"], None)
    if short:
        return [noise(25), sr(2)]
    # New rows go last: a row's seeds follow its position, and the rows above keep theirs.
    return [noise(15), noise(25), noise(50), jpeg_task(10), jpeg_task(30), sr(2), sr(4),
            inpaint("inpaint 50% pixels", lambda shape, seed: random_mask(shape, 0.5, seed)),
            inpaint("inpaint block", lambda shape, seed: block_mask(shape)), blur_task, gray,
            camera("iso800"), camera("iso3200"), camera("iso12800"), noisy_sr(4, 0.05), resized_sr(4, 0), resized_sr(4, 0.05),
            luma, blur_unknown_noise] + [camera(level, "camera") for level in ("iso800", "iso3200", "iso12800")] + [clean]


def load_images(per_set, crop, sets=SETS, root=DATA):
    """The first `per_set` images of each set (a folder under `root`): centre crops of `crop` pixels square, or whole
    (trimmed to a multiple of 4) when `crop` is 0."""
    images = []
    for s in sets:
        folder = os.path.join(root, s)
        for name in sorted(n for n in os.listdir(folder) if n.lower().endswith((".png", ".jpg")))[:per_set]:
            x = np.asarray(Image.open(os.path.join(folder, name)).convert("RGB")).astype(np.float32) / 255
            h, w, _ = x.shape
            if crop == 0:
                images.append((f"{s}/{name}", x[:h // 4 * 4, :w // 4 * 4]))
                continue
            c = min(crop, h // 4 * 4, w // 4 * 4)
            top, left = (h - c) // 2, (w - c) // 2
            images.append((f"{s}/{name}", x[top:top + c, left:left + c]))
    return images


def polyu_pairs(half):
    """PolyU's real noisy / clean pairs (512x512 camera JPEGs, `*_real` / `*_mean`), split by scene: the scenes in
    sorted order alternate between the half tuned on ("tune") and the half only reported ("report")."""
    folder = os.path.join(DATA, "PolyU")
    stems = sorted({n[:-len("_real.JPG")] for n in os.listdir(folder) if n.endswith("_real.JPG")})
    scenes = sorted({stem.split("_")[4] for stem in stems})
    chosen = set(scenes[0::2] if half == "tune" else scenes[1::2])
    load = lambda name: np.asarray(Image.open(os.path.join(folder, name)).convert("RGB")).astype(np.float32) / 255  # noqa: E731
    return [(stem, load(stem + "_real.JPG"), load(stem + "_mean.JPG")) for stem in stems if stem.split("_")[4] in chosen]


def read_noise(cli, model, image, tmp):
    """The noise level (0-255) blind mode reads from `image` (`dreamclean plan --json`)."""
    src = os.path.join(tmp, "read.png")
    Image.fromarray(to_u8(image)).save(src)
    cmd = [cli, "plan", src, "--json"] + (["--model", model] if model else [])
    plan = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
    return plan["reading"]["noise_sigma"]


def polyu_row(args, half, extra, tmp, noise_model="white"):
    """One PolyU row: the noisy photo, CBM3D at the level blind mode reads, DreamClean blind, and denoise at the true
    level (the standard deviation of noisy - clean) as the known-level reference; with how many photos blind left
    worse than they came in. noise_model "camera": the blind column is `--task denoise --noise-model camera` (the
    level estimated) and the known one the camera model at the true level (no baseline)."""
    scores = {k: [] for k in SCORE_COLUMNS}
    seconds, worse = [], 0
    camera = ["--task", "denoise", "--noise-model", "camera"] if noise_model == "camera" else []
    for index, (name, noisy, clean) in enumerate(polyu_pairs(half)):
        scores["input"].append((psnr(noisy, clean), ssim(noisy, clean)))
        if not args.no_baseline and not camera:
            b = cbm3d(noisy, read_noise(args.cli, args.model, noisy, tmp) / 255)
            scores["baseline"].append((psnr(b, clean), ssim(b, clean)))
        out, sec, other = run_both(args, noisy, camera or ["--task", "blind"], extra, tmp)
        scores["blind"].append((psnr(out, clean), ssim(out, clean)))
        if other is not None:
            scores["blind compared"].append((psnr(other, clean), ssim(other, clean)))
        blind = out
        worse += scores["blind"][-1][0] < scores["input"][-1][0]
        seconds.append(sec)
        sigma = float(np.std(noisy - clean) * 255)
        out, sec, other = run_both(args, noisy, (camera or ["--task", "denoise"]) + ["--noise-sigma", f"{sigma:.2f}"], extra, tmp)
        scores["known"].append((psnr(out, clean), ssim(out, clean)))
        if other is not None:
            scores["known compared"].append((psnr(other, clean), ssim(other, clean)))
        seconds.append(sec)
        if args.samples and index % POLYU_SAMPLE_EVERY == 0:
            save_strip(args.samples, f"polyu {noise_model} {name}", [polyu_crop(p) for p in (noisy, blind, out, clean)])
    count = len(scores["input"])
    name = "PolyU real noise" + (", noise_model camera (blind: level estimated)" if camera else "")
    return (f"{name}, {half} half ({count} photos; blind worse on {worse})",
            {k: (np.mean([s[0] for s in v]), np.mean([s[1] for s in v])) if v else None for k, v in scores.items()},
            np.mean(seconds))


# What each row scores: "compared" are the DreamClean columns in the --compare precision.
SCORE_COLUMNS = ("input", "baseline", "blind", "known", "blind compared", "known compared")
POLYU_SAMPLE_EVERY = 16  # --samples: a strip for every 16th photo of a half (3-4 of its 48-52)


def polyu_crop(x, size=160):
    """A centre crop of a PolyU photo at twice its size (nearest), where the noise shows at a glance."""
    top, left = (x.shape[0] - size) // 2, (x.shape[1] - size) // 2
    return x[top:top + size, left:left + size].repeat(2, 0).repeat(2, 1)


def run_cli(cli, model, image, args, tmp, extra=None, seed=1):
    src, dst = os.path.join(tmp, "in.png"), os.path.join(tmp, "out.png")
    Image.fromarray(to_u8(image)).save(src)
    cmd = [cli, "restore", src, dst, "--seed", str(seed), "--quiet"] + args + (["--model", model] if model else [])
    if extra is not None:  # an inpainting mask: white where missing
        Image.fromarray(((1 - extra) * 255).astype(np.uint8)).save(os.path.join(tmp, "mask.png"))
        cmd += ["--mask", os.path.join(tmp, "mask.png")]
    start = time.perf_counter()
    subprocess.run(cmd, check=True)
    return np.asarray(Image.open(dst).convert("RGB")).astype(np.float32) / 255, time.perf_counter() - start


def run_both(args, image, cli_args, extra, tmp, mask=None):
    """run_cli, and with --compare the same run again in that precision: (output, seconds, the other output or None)."""
    out, sec = run_cli(args.cli, args.model, image, cli_args + extra + (["--f32"] if args.compare else []), tmp, mask)
    other = run_cli(args.cli, args.model, image, cli_args + extra + [f"--{args.compare}"], tmp, mask)[0] if args.compare else None
    return out, sec, other


def save_strip(folder, name, panels):
    """One PNG: the panels side by side (all at the clean image's size), 4 px apart."""
    os.makedirs(folder, exist_ok=True)
    size = panels[-1].shape[0]
    panels = [p if p.shape[0] == size else bicubic(p, size // p.shape[0]) for p in panels]
    strip = np.ones((size, len(panels) * (size + 4) - 4, 3), np.float32)
    for k, p in enumerate(panels):
        strip[:, k * (size + 4):k * (size + 4) + size] = p
    safe = "".join(c if c.isalnum() else "-" for c in name).strip("-")
    Image.fromarray(to_u8(strip)).save(os.path.join(folder, f"{safe}.png"))


def chosen_tasks(text):
    """The row names in --tasks: split at commas not followed by a space, since some names hold ", "."""
    return re.split(r",(?! )", text)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cli", default=os.path.join(HERE, "..", ".build", "release", "dreamclean"))
    p.add_argument("--model", default=None, help="model folder (default: the CLI's default model)")
    p.add_argument("--per-set", type=int, default=4)
    p.add_argument("--crop", type=int, default=128, help="centre crop size; 0: whole images")
    p.add_argument("--sets", default=",".join(SETS), help="comma-separated development sets")
    p.add_argument("--preset", default="balanced")
    p.add_argument("--short", action="store_true", help="two 32x32 crops, two tasks, the fast preset: a smoke test")
    p.add_argument("--extra", default="", help="more CLI arguments for every DreamClean run, e.g. '--steps 5'")
    p.add_argument("--tasks", default="", help="comma-separated task names to run (default: all), e.g. 'noise sigma 25,jpeg q10' (a comma followed by a space is part of a name)")
    p.add_argument("--modes", default="blind,known", help="which DreamClean columns to run (a preset sweep needs one)")
    p.add_argument("--no-baseline", action="store_true", help="skip the classical baselines (CBM3D is slow)")
    p.add_argument("--polyu", default="tune,report",
                   help="PolyU real-noise rows: the halves to run ('' for none; with --tasks, name 'polyu' to run them)")
    p.add_argument("--polyu-models", default="white,camera",
                   help="PolyU rows per noise model: white (blind, white denoise at the true level), camera (denoise --noise-model camera)")
    p.add_argument("--compare", choices=["int8", "bf16"], default=None,
                   help="run the DreamClean columns in f32 and again in this precision, and print what it loses in dB")
    p.add_argument("--samples", default=None, help="folder for one before/after strip per task (degraded | blind | known | clean)")
    args = p.parse_args()
    if args.short:
        images = load_images(2, 32, ["photos"], root=os.path.dirname(SMOKE_PHOTOS))
        args.sets = "Tests/Fixtures/photos"
    elif not os.path.isdir(DATA):
        sys.exit(f"quality: the development sets are not here ({os.path.normpath(DATA)}); the full table needs them")
    else:
        images = load_images(args.per_set, args.crop, args.sets.split(","))
    extra = ["--preset", "fast" if args.short else args.preset] + args.extra.split()
    modes = args.modes.split(",")
    rows, worse = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        for t, (name, degrade, baseline, blind_args, known_args) in enumerate(tasks(args.short)):
            if args.tasks and name not in chosen_tasks(args.tasks):
                continue
            scores = {k: [] for k in SCORE_COLUMNS}
            seconds = []
            for i, (image_name, clean) in enumerate(images):
                y, info = degrade(clean, 1000 * t + i)
                x = info["reference"] if isinstance(info, dict) else clean  # what the row is scored against
                upsample = (lambda z: bicubic(z, x.shape[0] // z.shape[0])) if y.shape != x.shape else (lambda z: z)
                scores["input"].append((psnr(upsample(y), x), ssim(upsample(y), x)))
                if not args.short and not args.no_baseline:  # the smoke test checks our path, not the baselines (CBM3D needs pip's bm3d)
                    b = baseline(y, info)
                    scores["baseline"].append((psnr(b, x), ssim(b, x)))
                panels = [upsample(y)]
                if "blind" in modes:
                    # Blind SR restores the bicubic upsampling: blind mode knows no scale.
                    out, sec, other = run_both(args, upsample(y), blind_args, extra, tmp, info if "inpaint" in blind_args else None)
                    panels.append(out)
                    if out.shape == x.shape:
                        scores["blind"].append((psnr(out, x), ssim(out, x)))
                        if other is not None:
                            scores["blind compared"].append((psnr(other, x), ssim(other, x)))
                    seconds.append(sec)
                if known_args is not None and "known" in modes:
                    known = known_args(info) if callable(known_args) else known_args
                    out, sec, other = run_both(args, y, known, extra, tmp, info if "inpaint" in known else None)
                    scores["known"].append((psnr(out, x), ssim(out, x)))
                    if other is not None:
                        scores["known compared"].append((psnr(other, x), ssim(other, x)))
                    seconds.append(sec)
                    panels.append(out)
                if args.samples and i == 0:
                    save_strip(args.samples, name, panels + [x])
            rows.append((name, {k: (np.mean([s[0] for s in v]), np.mean([s[1] for s in v])) if v else None
                                for k, v in scores.items()}, np.mean(seconds) if seconds else 0.0))
            means = rows[-1][1]
            # Targets are per image ("above bicubic on every crop"): how many the known operator left below the baseline,
            # and how many blind mode left worse than they came in (a clean image: below PASS_THROUGH_DB).
            below = sum(k[0] < b[0] for k, b in zip(scores["known"], scores["baseline"]))
            floor = (lambda i: PASS_THROUGH_DB) if name == CLEAN_ROW else (lambda i: i[0])
            worse[name] = (sum(b[0] < floor(i) for b, i in zip(scores["blind"], scores["input"])), len(scores["blind"]))
            print(f"done: {name}: " + ", ".join(f"{k} {v[0]:.2f}" for k, v in means.items() if v is not None)
                  + (f", known below the baseline on {below} of {len(scores['known'])}" if scores["known"] and scores["baseline"] else "")
                  + (f", blind worse on {worse[name][0]} of {worse[name][1]}" if scores["blind"] else "")
                  + f", {rows[-1][2]:.1f} s/image", file=sys.stderr, flush=True)
        skip_polyu = args.short or not args.polyu or (args.tasks and "polyu" not in chosen_tasks(args.tasks))
        if not skip_polyu and not os.path.isdir(os.path.join(DATA, "PolyU")):
            print(f"quality: PolyU rows skipped ({os.path.normpath(os.path.join(DATA, 'PolyU'))} is not here)", file=sys.stderr)
            skip_polyu = True
        for half, noise_model in [] if skip_polyu else [(h, m) for m in args.polyu_models.split(",") for h in args.polyu.split(",")]:
            rows.append(polyu_row(args, half, extra, tmp, noise_model))
            print(f"done: {rows[-1][0]}: " + ", ".join(f"{k} {v[0]:.2f}" for k, v in rows[-1][1].items() if v is not None),
                  file=sys.stderr, flush=True)
    size = "32px center crops" if args.short else (f"{args.crop}px center crops" if args.crop else "whole images")
    print(f"\n{len(images)} images ({args.sets.replace(',', ', ')}), {size}, "
          f"preset {args.preset}{' ' + args.extra if args.extra else ''}; PSNR dB / SSIM\n")
    print("(degraded: the input itself; for SR its bicubic upsampling. Camera rows: scored against the camera pipeline's"
          " own noiseless result; known = denoise at the true level. PolyU: whole 512x512 photos, baseline CBM3D at the"
          " level blind reads, known = denoise at the true level)\n")
    if args.compare:
        print(f"(--compare {args.compare}: the DreamClean columns in f32; the last two, what {args.compare} loses against"
              " them in PSNR, dB: f32 minus " + args.compare + ")\n")
    compared = [f"{args.compare} loss blind", f"{args.compare} loss known"] if args.compare else []
    print("| task | degraded | classical baseline | DreamClean blind | DreamClean known operator | s / image |"
          + "".join(f" {c} |" for c in compared))
    print("|---|---|---|---|---|---|" + "---|" * len(compared))
    fmt = lambda v: "-" if v is None else f"{v[0]:.2f} / {v[1]:.3f}"  # noqa: E731
    loss = lambda a, b: "-" if a is None or b is None else f"{a[0] - b[0]:+.3f}"  # noqa: E731
    for name, s, sec in rows:
        print(f"| {name} | {fmt(s['input'])} | {fmt(s['baseline'])} | {fmt(s['blind'])} | {fmt(s['known'])} | {sec:.1f} |"
              + (f" {loss(s['blind'], s['blind compared'])} | {loss(s['known'], s['known compared'])} |" if args.compare else ""))
    if worse:
        left = {name: n for name, n in worse.items() if n[0]}
        print(f"\nblind worse than its input (a clean image: under {PASS_THROUGH_DB} dB against itself): "
              f"{sum(n[0] for n in worse.values())} of {sum(n[1] for n in worse.values())} images"
              + (" (" + "; ".join(f"{name}: {n[0]} of {n[1]}" for name, n in left.items()) + ")" if left else ""))
    if args.short:
        # The smoke test checks that the path gives sane images (a swapped channel or a shifted image scores far below
        # 20 dB); how good they are is the full table's business.
        bad = [name for name, s, _ in rows if min(v[0] for v in (s["blind"], s["known"]) if v is not None) < 20]
        print(f"quality smoke: {len(rows) - len(bad)} passed, {len(bad)} failed")
        sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
