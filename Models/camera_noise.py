# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The DreamClean authors
"""Camera noise on a clean sRGB photo, after the "unprocessing" pipeline of Brooks et al. (CVPR 2019), written here
from the paper's description: sRGB -> inverse tone curve and gamma -> inverse colour matrix and white balance ->
RGGB mosaic -> shot + read noise (variance shot * x + read, on the raw signal) -> bilinear demosaic -> white balance
and colour matrix -> tone curve and gamma -> optional JPEG. The result has what real photos have and white Gaussian
noise lacks: noise that grows with brightness, is correlated across neighbouring pixels (the demosaic) and across
channels (the colour matrix), and is clipped at both ends.

    from camera_noise import camera_noise, LEVELS
    noisy = camera_noise(clean, level="iso3200", seed=1)        # clean: float32 HxWx3 in [0, 1], H and W even

Used by `make quality` (Models/quality.py) for its camera rows and by Hosts/python/test_blind_inputs.py.
"""
import io

import numpy as np
from PIL import Image

# Shot and read noise on the [0, 1] raw scale per ISO-like level: shot from the range Brooks et al. sample
# (1e-4 to 1.2e-2, log-uniform), read from their fit log(read) = 2.18 log(shot) + 1.20.
LEVELS = {name: (shot, float(np.exp(2.18 * np.log(shot) + 1.20)))
          for name, shot in (("iso800", 0.0015), ("iso3200", 0.005), ("iso12800", 0.012))}

# sRGB -> camera RGB: a camera's XYZ matrix (a Canon's, as published with dcraw's adobe_coeff) times sRGB -> XYZ,
# rows normalized to 1 so that white stays white.
_XYZ_TO_CAMERA = np.array([[0.6602, -0.0841, -0.0939], [-0.4472, 1.2458, 0.2247], [-0.0975, 0.2039, 0.6148]])
_RGB_TO_XYZ = np.array([[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750],
                        [0.0193339, 0.1191920, 0.9503041]])
_RGB_TO_CAMERA = _XYZ_TO_CAMERA @ _RGB_TO_XYZ
_RGB_TO_CAMERA /= _RGB_TO_CAMERA.sum(axis=1, keepdims=True)
_CAMERA_TO_RGB = np.linalg.inv(_RGB_TO_CAMERA)
_WHITE_BALANCE = np.array([2.1, 1.0, 1.7])  # red, green, blue gains (daylight-like)


def _inverse_tone(y):
    """The inverse of the smoothstep tone curve 3x^2 - 2x^3."""
    return 0.5 - np.sin(np.arcsin(np.clip(1 - 2 * y, -1, 1)) / 3)


def _tone(x):
    return 3 * x ** 2 - 2 * x ** 3


def _mosaic_masks(h, w):
    """RGGB: red at (even, even), green at (even, odd) and (odd, even), blue at (odd, odd)."""
    masks = np.zeros((h, w, 3), bool)
    masks[0::2, 0::2, 0] = True
    masks[0::2, 1::2, 1] = masks[1::2, 0::2, 1] = True
    masks[1::2, 1::2, 2] = True
    return masks


def _demosaic(raw, masks):
    """Bilinear: each channel's missing samples are the mean of its known neighbours (3x3, edges reflected)."""
    out = np.empty(masks.shape, np.float64)
    kernel = np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]], np.float64)
    for c in range(3):
        known = np.where(masks[..., c], raw, 0.0)
        values = _filter3(known, kernel)
        weights = _filter3(masks[..., c].astype(np.float64), kernel)
        out[..., c] = np.where(masks[..., c], raw, values / np.maximum(weights, 1e-12))
    return out


def _filter3(x, kernel):
    padded = np.pad(x, 1, mode="reflect")
    h, w = x.shape
    return sum(kernel[i, j] * padded[i:i + h, j:j + w] for i in range(3) for j in range(3))


def camera_noise(clean, level="iso3200", seed=0, jpeg_quality=None):
    """`clean` (float HxWx3 in [0, 1], even sides) as a camera at `level` (a LEVELS key) would have taken it."""
    shot, read = LEVELS[level]
    rng = np.random.default_rng(seed)
    x = np.clip(clean.astype(np.float64), 0, 1)
    linear = _inverse_tone(x) ** 2.2
    camera = np.clip(linear @ _CAMERA_TO_RGB.T, 0, 1) / _WHITE_BALANCE  # the sensor before white balance
    masks = _mosaic_masks(*x.shape[:2])
    raw = (camera * masks).sum(axis=2)
    raw = np.clip(raw + rng.normal(0, 1, raw.shape) * np.sqrt(shot * np.maximum(raw, 0) + read), 0, 1)
    rgb = np.clip((_demosaic(raw, masks) * _WHITE_BALANCE) @ _RGB_TO_CAMERA.T, 0, 1)
    out = _tone(rgb ** (1 / 2.2)).astype(np.float32)
    if jpeg_quality is not None:
        buffer = io.BytesIO()
        Image.fromarray((out * 255 + 0.5).astype(np.uint8)).save(buffer, format="JPEG", quality=jpeg_quality)
        out = np.asarray(Image.open(buffer).convert("RGB")).astype(np.float32) / 255
    return out


def clean_pipeline(clean):
    """The same pipeline without noise: what the camera model does to a photo by itself (its round trip)."""
    x = np.clip(clean.astype(np.float64), 0, 1)
    linear = _inverse_tone(x) ** 2.2
    camera = np.clip(linear @ _CAMERA_TO_RGB.T, 0, 1) / _WHITE_BALANCE
    masks = _mosaic_masks(*x.shape[:2])
    raw = (camera * masks).sum(axis=2)
    rgb = np.clip((_demosaic(raw, masks) * _WHITE_BALANCE) @ _RGB_TO_CAMERA.T, 0, 1)
    return _tone(rgb ** (1 / 2.2)).astype(np.float32)
