# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The DreamClean authors
"""Tiling with the real default model on a real photo (examples/images/noisy.png, 214x192): tiles of 128 (2 x 2 tiles,
blended over the overlaps) against one untiled pass, the same seed. Tiling is exact only for networks without
whole-tile statistics (the toy networks of TilingTests); the default UNet's GroupNorm normalizes each tile by its own
statistics, so the two differ everywhere a little. Measured here: PSNR between them 50.2 dB, mean 0.51 of an 8-bit
level, largest 9 levels, evenly spread (blend zones 0.47, elsewhere 0.54). Tolerances: at least 45 dB, and the blend
zones no worse than 1.5 times the rest (a seam would show there first). Needs DREAMCLEAN_CLI (make check-cli)."""
import os
import subprocess

import numpy as np
from PIL import Image

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
CLI = os.environ.get("DREAMCLEAN_CLI", os.path.join(ROOT, ".build", "release", "dreamclean"))
PHOTO = os.path.join(ROOT, "examples", "images", "noisy.png")
MODEL = os.path.join(ROOT, "Models", "default")


def restore(out, *extra):
    subprocess.run([CLI, "restore", PHOTO, str(out), "--task", "denoise", "--noise-sigma", "25", "--seed", "1", "--quiet",
                    "--model", MODEL, *extra], check=True)
    return np.asarray(Image.open(out)).astype(np.float64)


def blend_zone(length, tile=128, overlap=32):
    """Where two tiles overlap along one axis (TileLayout: a stride of tile - overlap, the last tile flush)."""
    starts = list(range(0, length - tile, tile - overlap)) + [length - tile]
    zone = np.zeros(length, bool)
    for a, b in zip(starts, starts[1:]):
        zone[b:a + tile] = True
    return zone


def test_tiled_and_untiled_agree_on_a_real_photo(tmp_path):
    whole = restore(tmp_path / "whole.png", "--tile-size", "512")
    tiled = restore(tmp_path / "tiled.png", "--tile-size", "128", "--tile-overlap", "32")
    difference = np.abs(whole - tiled).mean(axis=2)
    psnr = 10 * np.log10(255 ** 2 / np.mean((whole - tiled) ** 2))
    rows, columns = blend_zone(whole.shape[0]), blend_zone(whole.shape[1])
    zone = rows[:, None] | columns[None, :]
    assert zone.any() and (~zone).any()
    print(f"tiled vs untiled: {psnr:.1f} dB, mean {difference.mean():.2f} levels, largest {np.abs(whole - tiled).max():.0f};"
          f" blend zones {difference[zone].mean():.2f}, elsewhere {difference[~zone].mean():.2f}")
    assert psnr >= 45, psnr
    assert difference[zone].mean() <= 1.5 * difference[~zone].mean()
