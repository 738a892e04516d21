# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The DreamClean authors
"""The ctypes module against the real library, with the small fixture model (fast)."""
import os
import subprocess
import sys
import threading

import numpy as np
import pytest
from PIL import Image

import dreamclean

MODEL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Tests", "Fixtures", "adm-tiny")


@pytest.fixture(scope="module")
def context():
    with dreamclean.Context(MODEL, threads=1) as dc:
        yield dc


def image(dtype=np.uint8, shape=(12, 16, 3)):
    values = (np.arange(np.prod(shape)).reshape(shape) * 37 % 251) / 250
    return (values * 255).astype(np.uint8) if dtype == np.uint8 else (values * 65535).astype(np.uint16) \
        if dtype == np.uint16 else values.astype(np.float32)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32])
@pytest.mark.parametrize("channels", [1, 2, 3, 4])
def test_restore_keeps_shape_and_dtype(context, dtype, channels):
    x = image(dtype, (12, 16, channels))
    out = context.restore(x, steps=2, seed=3)
    assert out.shape == x.shape and out.dtype == x.dtype
    if channels in (2, 4):  # alpha passes through
        assert np.array_equal(out[..., -1], x[..., -1])


def test_same_seed_same_result_and_strided_input(context):
    x = image()
    a = context.restore(x, steps=2, seed=9)
    padded = np.zeros((12, 20, 3), np.uint8)
    padded[:, 2:18] = x
    b = context.restore(padded[:, 2:18], steps=2, seed=9)  # a view with a row stride wider than the row
    assert np.array_equal(a, b)


def test_bf16_is_the_default_where_native_and_f32_on_request(context):
    with dreamclean.Context(MODEL, threads=1, bf16=False) as full:
        assert full.bf16 is False
        x = image(np.float32)
        a, b = (dc.restore(x, task="denoise", noise_sigma=20, steps=2, seed=9) for dc in (context, full))
        assert np.abs(a - b).mean() < 1e-2
        assert context.bf16 == (not np.array_equal(a, b))  # True only where the CPU has native bf16


def test_int8_on_request_near_the_default(context):
    assert context.int8 is False
    assert context.model_info["int8_convolutions"] == 53  # the fixture calibrates every convolution
    with dreamclean.Context(MODEL, threads=1, int8=True) as quantized:
        x = image(np.float32)
        a, b = (dc.restore(x, task="denoise", noise_sigma=20, steps=2, seed=9) for dc in (context, quantized))
        assert np.abs(a - b).mean() < 2e-2
        # int8 only where the model ships a calibration and the CPU has VNNI; it then differs from bf16 or f32
        assert quantized.int8 == (not np.array_equal(a, b))
        assert not (quantized.int8 and quantized.bf16)


def test_super_resolution_output_is_larger(context):
    out = context.restore(image(np.float32), task="sr", scale=2, steps=2, seed=1)
    assert out.shape == (24, 32, 3)


def test_any_strides_give_the_packed_result(context):
    x = image()
    packed = context.restore(np.ascontiguousarray(x[::-1, ::-1]), steps=2, seed=9)
    assert np.array_equal(context.restore(x[::-1, ::-1], steps=2, seed=9), packed)  # negative strides
    transposed = np.ascontiguousarray(x.transpose(1, 0, 2)).transpose(1, 0, 2)  # row stride below the pixel stride
    assert np.array_equal(context.restore(transposed, steps=2, seed=9), context.restore(x, steps=2, seed=9))
    row = x[:1]
    broadcast = np.broadcast_to(row, x.shape)  # row stride 0: every row the same memory
    assert broadcast.strides[0] == 0
    assert np.array_equal(context.restore(broadcast, steps=2, seed=9),
                          context.restore(np.repeat(row, x.shape[0], axis=0), steps=2, seed=9))


def test_an_exception_in_progress_is_raised_as_it_was(context):
    def progress(fraction):
        raise KeyError("from the callback")
    with pytest.raises(KeyError):
        context.restore(image(), steps=2, progress=progress)


def test_integers_beyond_int64_are_refused_not_wrapped(context):
    with pytest.raises(dreamclean.InvalidInputError) as error:
        context.restore(image(), seed=2**64 + 1)
    assert "seed" in error.value.message


def test_progress_is_monotone_and_ends_at_one(context):
    seen = []
    context.restore(image(), steps=2, seed=1, progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == 1.0


def test_progress_returning_false_cancels(context):
    with pytest.raises(dreamclean.DreamCleanError) as error:
        context.restore(image(), steps=2, progress=lambda f: False)
    assert error.value.status == "CANCELLED"


def test_cancel_from_another_thread(context):
    def cancel_soon(job):
        threading.Timer(0.05, job.cancel).start()
    with pytest.raises(dreamclean.DreamCleanError) as error:
        context.restore(image(np.uint8, (64, 64, 3)), steps=200, on_start=cancel_soon)
    assert error.value.status == "CANCELLED"


def test_memory_limit_too_small_raises_out_of_memory_before_work():
    calls = []
    with dreamclean.Context(MODEL, threads=1, max_memory_mb=16) as small:
        with pytest.raises(dreamclean.DreamCleanError, match="max_memory_mb = 16") as error:
            small.restore(image(), steps=2, progress=calls.append)
    assert error.value.status == "OUT_OF_MEMORY" and calls == []
    with pytest.raises(dreamclean.DreamCleanError, match="out of range"):
        dreamclean.Context(MODEL, max_memory_mb=8)


def test_memory_limit_per_restoration(context):
    calls = []
    with pytest.raises(dreamclean.DreamCleanError, match="max_memory_mb = 16"):
        context.restore(image(), steps=2, max_memory_mb=16, progress=calls.append)
    assert calls == []
    assert context.restore(image(), steps=2, max_memory_mb=256).shape == image().shape


def test_bad_parameters_raise_with_the_library_message(context):
    with pytest.raises(dreamclean.DreamCleanError, match="unknown parameter 'stpes'"):
        context.restore(image(), stpes=2)
    with pytest.raises(dreamclean.DreamCleanError, match=r"strength = 1.5 is invalid \(out of range"):
        context.restore(image(), strength=1.5)
    with pytest.raises(dreamclean.DreamCleanError, match="is invalid \\(not one of"):
        context.restore(image(), task="dehaze")
    with pytest.raises(dreamclean.DreamCleanError, match="needs an integer"):
        context.restore(image(), steps=2.5)


def test_bad_arrays_are_refused(context):
    with pytest.raises(TypeError):
        context.restore(image().astype(np.int32))
    with pytest.raises(ValueError):
        context.restore(np.zeros((4, 4, 5), np.uint8))
    with pytest.raises(dreamclean.DreamCleanError) as error:
        context.restore(np.full((4, 4, 3), np.nan, np.float32))
    assert error.value.status == "INVALID_ARGUMENT"


def test_inpainting_takes_a_mask(context):
    """mask: non-zero where missing; the known pixels stay (within a level: the fixture model's DDNM keeps them), the
    hole changes; a mask of another size is refused."""
    x = image(shape=(32, 32, 3))
    x[8:16, 8:16] = 0
    mask = np.zeros((32, 32), bool)
    mask[8:16, 8:16] = True
    out = context.restore(x, task="inpaint", mask=mask, seed=1, steps=2)
    assert np.abs(out[~mask].astype(int) - x[~mask].astype(int)).max() <= 1
    assert np.abs(out[mask].astype(int) - x[mask].astype(int)).mean() > 5
    with pytest.raises(dreamclean.DreamCleanError, match="mask is 16x16"):
        context.restore(x, task="inpaint", mask=np.zeros((16, 16), np.uint8))


def test_kernels_are_taken_and_checked(context):
    x = image(shape=(8, 8, 3))
    plan = context.plan(x, task="sr", scale=4, sr_taps=[1, 2, 3, 4, 4, 3, 2, 1])
    assert "8-tap downsampling x4" in plan["color"]["problem"]
    plan = context.plan(x, task="deblur", blur_kernel=np.ones((5, 5)))
    assert "5-tap kernel" in plan["color"]["problem"]
    with pytest.raises(dreamclean.DreamCleanError, match="not symmetric"):
        context.plan(x, task="sr", sr_taps=[1, 2])
    with pytest.raises(dreamclean.DreamCleanError, match="blur_kernel"):
        context.plan(x, task="deblur", blur_kernel=np.ones((2, 2)))


def test_missing_model_raises_io():
    with pytest.raises(dreamclean.DreamCleanError) as error:
        dreamclean.Context("/nonexistent/model")
    assert error.value.status == "IO"


def test_parameter_list():
    names = {p["name"] for p in dreamclean.parameters()}
    assert {"task", "preset", "strength", "gamma", "steps", "seed", "scale", "tile_size"} <= names
    assert dreamclean.version().count(".") == 2


def test_model_info(context):
    info = context.model_info
    assert info["name"] == "adm-tiny" and info["license"] == "not stated in config.json"
    assert info["training_steps"] is None and info["parameters"] > 0


def test_the_default_model_states_its_terms():
    default = os.path.join(os.path.dirname(MODEL), "..", "..", "Models", "default")
    with dreamclean.Context(default) as dc:
        info = dc.model_info
    assert info["license"] == "research use only" and "commercial" in info["terms"]
    assert info["training_steps"] > 0 and info["card"].endswith("MODEL_CARD.md")


def test_mix_zero_returns_the_input(context):
    array = image()
    assert np.array_equal(context.restore(array, task="denoise", noise_sigma=25, seed=1, mix=0), array)
    assert not np.array_equal(context.restore(array, task="denoise", noise_sigma=25, seed=1), array)


def test_read_finds_jpeg_blocks_and_reads_noise(context):
    # 8x8 blocks whose means sit on the DC lattice of step 40 (quality 20), with a zero-mean ramp inside each.
    y, x = np.mgrid[0:96, 0:96]
    block = (y // 8) * 12 + x // 8
    gray = 128 + 5 * ((block * 7) % 17 - 8) + (x % 8) - (y % 8)
    reading = context.read(np.repeat(gray[:, :, None], 3, axis=2).astype(np.uint8))
    assert reading["jpeg_step"] == 40 and reading["jpeg_quality"] == 20 and reading["blur_sigma"] is None
    noisy = np.clip(0.5 + np.random.default_rng(1).normal(0, 20 / 255, (96, 96, 3)), 0, 1).astype(np.float32)
    reading = context.read(noisy)
    assert reading["jpeg_step"] is None
    assert abs(reading["noise_sigma"] - 20) < 2, reading  # the estimator's spread on 96x96 noise


def test_the_example_script(tmp_path):
    """examples/python/restore.py, the short snippet, runs on a file."""
    source = tmp_path / "in.png"
    Image.fromarray(image()).save(source)
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    result = subprocess.run([sys.executable, os.path.join(root, "examples", "python", "restore.py"), str(source),
                             str(tmp_path / "out.png"), "task=denoise", "noise_sigma=25", "seed=1"],
                            env={**os.environ, "DREAMCLEAN_MODEL": MODEL}, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert Image.open(tmp_path / "out.png").size == Image.open(source).size
