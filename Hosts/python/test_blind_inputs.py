# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The DreamClean authors
"""Blind restoration with the default model on inputs a reading can trip on: a flat image, pure noise, 8x8, one row,
a saturated photo, 16-bit noise below one 8-bit step, gray kept in colour, clean photos, and a camera's noise. Each
reading is defined, no result is farther from the truth than its input, and a clean photo comes back nearly unchanged
(at least 45 dB)."""
import os
import sys

import numpy as np
import pytest
from PIL import Image

import dreamclean

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
sys.path.insert(0, os.path.join(ROOT, "Models"))
import camera_noise  # noqa: E402  (Models/camera_noise.py, the camera rows' pipeline: numpy and PIL only)
PHOTOS = os.path.join(ROOT, "Tests", "Fixtures", "photos")
CLEAN = ["bsds500-100075.png", "bsds500-100080.png"]


@pytest.fixture(scope="module")
def context():
    with dreamclean.Context(os.path.join(ROOT, "Models", "default")) as dc:
        yield dc


def photo(name=CLEAN[1]):
    return np.asarray(Image.open(os.path.join(PHOTOS, name)).convert("RGB")).astype(np.float64)


def noisy(truth, sigma, seed=1, top=255):
    return np.clip(np.round(truth + np.random.default_rng(seed).normal(0, sigma, truth.shape)), 0, top)


def mse(a, b):
    return float(np.mean((np.asarray(a, np.float64) - b) ** 2))


def psnr(a, b, top=255.0):
    error = mse(a, b)
    return 99.0 if error == 0 else 10 * np.log10(top * top / error)


def restore_blind(context, image):
    """The reading (defined: finite numbers, no lattice or blur on these) and the blind result."""
    reading = context.read(image)
    assert np.isfinite(reading["noise_sigma"]) and reading["noise_sigma"] >= 0, reading
    out = context.restore(image, seed=1)
    assert out.shape == image.shape and out.dtype == image.dtype
    return reading, out


def test_a_flat_image_is_left_as_it_is(context):
    flat = np.full((64, 64, 3), 128, np.uint8)
    reading, out = restore_blind(context, flat)
    assert reading["noise_sigma"] == 0 and reading["jpeg_step"] is None and reading["blur_sigma"] is None
    assert reading["camera_noise_sigma"] is None
    assert np.array_equal(out, flat)


def test_pure_noise_comes_closer_to_its_mean(context):
    truth = np.full((64, 64, 3), 128.0)
    image = noisy(truth, 30).astype(np.uint8)
    reading, out = restore_blind(context, image)
    assert abs(reading["noise_sigma"] - 30) < 3, reading
    assert mse(out, truth) < mse(image, truth)


def test_an_8x8_image_is_not_made_worse(context):
    truth = photo()[20:28, 20:28]
    image = noisy(truth, 10).astype(np.uint8)
    _, out = restore_blind(context, image)
    assert mse(out, truth) <= mse(image, truth)


def test_a_one_row_image_is_left_as_it_is(context):
    image = noisy(photo()[30:31], 10).astype(np.uint8)
    reading, out = restore_blind(context, image)
    assert reading["noise_sigma"] == 0  # no 2x2 block to read
    assert np.array_equal(out, image)


def saturated():
    """The photo at the contrast that puts half its values at 255."""
    clean = photo()
    truth = np.minimum(np.round(clean * 255 / np.median(clean)), 255)
    assert 0.4 < np.mean(truth == 255) < 0.6
    return truth


def test_a_saturated_photo_is_not_made_worse(context):
    truth = saturated()
    image = noisy(truth, 10).astype(np.uint8)
    _, out = restore_blind(context, image)
    assert mse(out, truth) <= mse(image, truth)
    # Clean, it passes through: where one channel is cut at 255 the others' texture would read as noise.
    clean = truth.astype(np.uint8)
    _, out = restore_blind(context, clean)
    assert psnr(out, clean) >= 45


def test_16_bit_noise_below_one_8_bit_step_is_not_made_worse(context):
    truth = np.round(photo() * 257)
    image = noisy(truth, 0.3 * 257, top=65535).astype(np.uint16)
    reading, out = restore_blind(context, image)
    assert reading["noise_sigma"] < 1.5, reading
    assert mse(out, truth) <= mse(image, truth)


def test_gray_kept_in_colour_is_still_denoised(context):
    """The same noise in every channel has no channel differences to read; it is read from the channels."""
    gray = photo() @ np.array([0.299, 0.587, 0.114])
    truth = np.repeat(gray[..., None], 3, axis=2)
    image = np.repeat(noisy(gray, 15)[..., None], 3, axis=2).astype(np.uint8)
    reading, out = restore_blind(context, image)
    assert reading["noise_sigma"] > 10, reading
    assert mse(out, truth) < mse(image, truth)


@pytest.mark.parametrize("name", CLEAN)
def test_a_clean_photo_passes_through(context, name):
    """Fur: fine texture the finest wavelet scale alone reads as noise of 6-8/255."""
    clean = photo(name).astype(np.uint8)
    _, out = restore_blind(context, clean)
    assert psnr(out, clean) >= 45


@pytest.mark.parametrize("params", [{}, {"task": "denoise", "noise_sigma": 50}], ids=["blind", "denoise"])
def test_a_dark_photo_under_clipped_noise_keeps_its_black_level(context, params):
    """A dark photo (mean 24/255) under noise of 50/255, cut at 0: the noisy mean is lifted by 10/255. The noise path
    draws the clipped values back (`ClippedNoise`), so the result's mean is the truth's again (before: lifted as the
    input, 34/255)."""
    truth = photo() * 0.25
    image = noisy(truth, 50).astype(np.uint8)
    assert image.mean() - truth.mean() > 8
    out = context.restore(image, seed=1, **params)
    assert abs(out.mean() - truth.mean()) < 3, (out.mean(), truth.mean())
    assert mse(out, truth) < mse(image, truth) / 10


@pytest.mark.parametrize("name", CLEAN)
def test_a_cameras_noise_takes_the_camera_path(context, name):
    """The camera pipeline's noise (`Models/camera_noise.py`) at three ISO-like levels, scored against its own
    noiseless result: blind mode reads it in the colour and restores it as noise_model=camera does, above the input
    and at least 0.3 dB above the white-noise path (camera_noise off). Measured: 0.4-0.6 dB above it at ISO 800,
    0.6-1.6 at ISO 3200 (the furry photo reads as textured and gets a lower level), 1.8-2.9 at ISO 12800."""
    clean = photo(name).astype(np.float32) / 255
    reference = camera_noise.clean_pipeline(clean) * 255
    for level in camera_noise.LEVELS:
        image = np.clip(np.round(camera_noise.camera_noise(clean, level, seed=1) * 255), 0, 255).astype(np.uint8)
        reading, out = restore_blind(context, image)
        assert reading["camera_noise_sigma"] is not None and reading["blur_sigma"] is None, (level, reading)
        assert psnr(out, reference) > psnr(image, reference), level
        white = context.restore(image, seed=1, camera_noise="off")
        assert psnr(out, reference) >= psnr(white, reference) + 0.3, level
