# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The DreamClean authors
"""A caller's own kernels through the CLI with the default model: --sr-taps (a separable downsampling filter) and
--blur-kernel (a square blur), their files, and their refusals. Needs DREAMCLEAN_CLI (make check-cli)."""
import os
import subprocess

import numpy as np
from PIL import Image
from scipy import ndimage

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
CLI = os.environ.get("DREAMCLEAN_CLI", os.path.join(ROOT, ".build", "release", "dreamclean"))
MODEL = os.path.join(ROOT, "Models", "default")
PHOTOS = os.path.join(ROOT, "Tests", "Fixtures", "photos")


def photo(name="bsds500-100080.png"):
    return np.asarray(Image.open(os.path.join(PHOTOS, name)).convert("RGB")).astype(np.float64) / 255


def save(path, x):
    Image.fromarray((np.clip(x, 0, 1) * 255 + 0.5).astype(np.uint8)).save(path)
    return str(path)


def load(path):
    return np.asarray(Image.open(path).convert("RGB")).astype(np.float64) / 255


def psnr(a, b):
    return 10 * np.log10(1 / np.mean((a - b) ** 2))


def cli(*args):
    return subprocess.run([CLI, *map(str, args), "--model", MODEL], capture_output=True, text=True)


def gaussian_taps(scale, sigma):
    count = 4 * scale + scale % 2
    d = np.arange(count) - (count - 1) / 2
    return np.exp(-d * d / (2 * sigma * sigma))


def downsample(x, taps, scale):
    """The operator's definition: taps centred on each output sample (first = (scale - count) / 2), half-sample mirror."""
    h = taps / taps.sum()
    first = (scale - len(h)) // 2
    out = x
    for axis in (0, 1):
        n = out.shape[axis]
        index = lambda i: (i % (2 * n)) if (i % (2 * n)) < n else 2 * n - 1 - (i % (2 * n))  # noqa: E731
        rows = [sum(h[t] * np.take(out, index(m * scale + first + t), axis=axis) for t in range(len(h))) for m in range(n // scale)]
        out = np.stack(rows, axis=axis)
    return out


def test_sr_taps_restore_what_they_made(tmp_path):
    """A 64x64 photo reduced x4 by a Gaussian of sigma 2 (16 taps): restored with those taps it beats bicubic, and
    its reduction by the same taps is within a level (1.5/255 rms) of the small image (DDNM's consistency)."""
    truth, taps = photo(), gaussian_taps(4, 2.0)
    small = downsample(truth, taps, 4)
    np.savetxt(tmp_path / "taps.txt", taps[None], delimiter=",")
    source, out = save(tmp_path / "small.png", small), tmp_path / "big.png"
    plan = cli("plan", source, "--task", "sr", "--scale", "4", "--sr-taps", tmp_path / "taps.txt")
    assert plan.returncode == 0 and "16-tap downsampling x4" in plan.stdout, plan.stdout + plan.stderr
    run = cli("restore", source, out, "--task", "sr", "--scale", "4", "--sr-taps", tmp_path / "taps.txt", "--seed", "1", "--quiet")
    assert run.returncode == 0, run.stderr
    restored = load(out)
    bicubic = np.asarray(Image.open(source).convert("RGB").resize((64, 64), Image.BICUBIC)).astype(np.float64) / 255
    print(f"sr_taps x4: restored {psnr(restored, truth):.2f} dB, bicubic {psnr(bicubic, truth):.2f} dB, "
          f"re-reduced rms {np.sqrt(np.mean((downsample(restored, taps, 4) - small) ** 2)) * 255:.2f}/255")
    assert psnr(restored, truth) > psnr(bicubic, truth), (psnr(restored, truth), psnr(bicubic, truth))
    assert np.sqrt(np.mean((downsample(restored, taps, 4) - small) ** 2)) < 1.5 / 255


def test_a_gaussian_blur_kernel_equals_blur_sigma(tmp_path):
    """The library's own Gaussian (sigma 1.6, radius 5) written out as a kernel file gives the --blur-sigma result."""
    sigma, radius = 1.6, 5
    d = np.arange(-radius, radius + 1)
    kernel = np.exp(-(d[:, None] ** 2 + d[None, :] ** 2) / (2 * sigma * sigma))
    np.savetxt(tmp_path / "kernel.txt", kernel)
    blurred = np.stack([ndimage.gaussian_filter(photo()[..., c], sigma, mode="mirror") for c in range(3)], -1)
    source = save(tmp_path / "blurred.png", blurred)
    common = ["--task", "deblur", "--noise-sigma", "2", "--seed", "1", "--quiet"]
    assert cli("restore", source, tmp_path / "a.png", *common, "--blur-sigma", str(sigma)).returncode == 0
    run = cli("restore", source, tmp_path / "b.png", *common, "--blur-kernel", tmp_path / "kernel.txt")
    assert run.returncode == 0, run.stderr
    assert np.abs(load(tmp_path / "a.png") - load(tmp_path / "b.png")).max() <= 1 / 255


def test_bad_kernel_files_are_refused(tmp_path):
    source = save(tmp_path / "in.png", photo()[:16, :16])
    (tmp_path / "words.txt").write_text("1 2 x")
    (tmp_path / "uneven.txt").write_text("1, 2, 3, 4")
    (tmp_path / "odd.txt").write_text("1 2 1")
    (tmp_path / "four.txt").write_text("1 1\n1 1\n")
    cases = [
        (["--task", "sr", "--sr-taps", tmp_path / "missing.txt"], 66, "cannot read"),
        (["--task", "sr", "--sr-taps", tmp_path / "words.txt"], 64, "not a finite number"),
        (["--task", "sr", "--sr-taps", tmp_path / "uneven.txt"], 64, "not symmetric"),
        (["--task", "sr", "--scale", "4", "--sr-taps", tmp_path / "odd.txt"], 64, "3 taps for scale 4"),
        (["--task", "deblur", "--blur-kernel", tmp_path / "four.txt"], 64, "blur_kernel"),
    ]
    for args, code, words in cases:
        run = cli("restore", source, tmp_path / "out.png", *args)
        assert run.returncode == code and words in run.stderr, (args, run.returncode, run.stderr)
        assert not (tmp_path / "out.png").exists()
