# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The DreamClean authors
"""Tests of the vips operation through the vips command and pyvips. `make check-vips` runs them with VIPSHOME set so
that libvips loads the freshly built module; the model is the default one (tiny images keep them fast)."""
import json
import os
import subprocess
import sys
import threading

import pyvips
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLES = os.path.join(HERE, "..", "..", "examples")
EXAMPLE = os.path.join(EXAMPLES, "images", "noisy.png")
sys.path.insert(0, os.path.join(EXAMPLES, "vips"))
import restore  # noqa: E402  (the pyvips example)


@pytest.fixture(scope="module")
def small():
    return pyvips.Image.new_from_file(EXAMPLE).crop(40, 40, 48, 40).copy_memory()


def pixels(image):
    return list(image.write_to_memory())


def test_operation_arguments_are_the_library_parameters():
    introspect = pyvips.Introspect.get("dreamclean")
    library = os.environ.get("DREAMCLEAN_LIBRARY")
    names = set(introspect.optional_input)
    expected = {"task", "preset", "start", "strength", "gamma", "steps", "vps_iters", "seed", "scale", "noise_sigma",
                "blur_sigma", "tile_size", "tile_overlap", "process_alpha", "mask", "model"}
    assert expected <= names, names
    if library:  # the same list as the C API's introspection JSON
        import ctypes
        lib = ctypes.CDLL(library)
        needed = ctypes.c_size_t()
        lib.dc_params_json(None, 0, ctypes.byref(needed))
        buffer = ctypes.create_string_buffer(needed.value)
        assert lib.dc_params_json(buffer, needed, ctypes.byref(needed)) == 0
        assert {p["name"] for p in json.loads(buffer.value)} | {"mask", "model"} == names


def test_shell_pipeline(tmp_path):
    subprocess.run(["sh", os.path.join(EXAMPLES, "vips", "restore.sh"), EXAMPLE, str(tmp_path)], check=True)
    source = pyvips.Image.new_from_file(EXAMPLE)
    for name in ("denoised.png", "deblocked.png"):
        out = pyvips.Image.new_from_file(str(tmp_path / name))
        assert (out.width, out.height, out.bands, out.format) == (source.width, source.height, 3, "uchar")
    sr = pyvips.Image.new_from_file(str(tmp_path / "sr-sharpened.png"))
    assert (sr.width, sr.height) == (2 * source.width, 2 * source.height)


def test_pyvips_pipeline(tmp_path, small):
    path = str(tmp_path / "small.png")
    small.write_to_file(path)
    larger, filled = restore.restore(path, str(tmp_path / "out"))
    assert (larger.width, larger.height, larger.bands) == (96, 80, 3)
    deep = pyvips.Image.new_from_file(str(tmp_path / "out" / "denoised16.png"))
    assert deep.format == "ushort" and deep.interpretation == "rgb16"
    # Inpainting keeps the known pixels (consistency with the mask operator).
    outside = (filled - small).abs().crop(0, 0, small.width, small.height // 4)
    assert outside.max() <= 1


def test_seed_reproducible_and_random_default_not_cached(small):
    a = small.dreamclean(task="denoise", preset="fast", seed=3)
    b = small.dreamclean(task="denoise", preset="fast", seed=3)
    assert pixels(a) == pixels(b)
    # Denoising's preset is deterministic; a gamma turns the random VPS step on.
    c = small.dreamclean(task="denoise", preset="fast", gamma=0.5)
    d = small.dreamclean(task="denoise", preset="fast", gamma=0.5)
    assert pixels(c) != pixels(d)  # a random seed each call: NOCACHE


def test_alpha_passes_through(small):
    alpha = pyvips.Image.black(small.width, small.height).linear(1, 77).cast("uchar")
    rgba = small.bandjoin(alpha)
    out = rgba.dreamclean(task="denoise", preset="fast", seed=1)
    assert out.bands == 4 and out.extract_band(3).min() == 77 == out.extract_band(3).max()


def test_float_input_uses_the_0_255_convention(small):
    out8 = small.dreamclean(task="denoise", preset="fast", seed=1)
    outf = small.cast("float").dreamclean(task="denoise", preset="fast", seed=1)
    assert outf.format == "float"
    assert (outf - out8).abs().max() <= 1


def test_every_sample_format_by_its_range(small):
    out8 = small.dreamclean(task="denoise", preset="fast", seed=1)
    wide = (small.cast("uint") * (2**32 - 1) / 255).cast("uint")
    out32 = wide.dreamclean(task="denoise", preset="fast", seed=1)
    assert out32.format == "uint"
    assert (out32 / ((2**32 - 1) / 255) - out8).abs().max() <= 1.01
    for signed in ["char", "short", "int"]:
        with pytest.raises(pyvips.Error, match="signed"):
            small.cast(signed).dreamclean(task="denoise")


def test_metadata_is_the_inputs(small, tmp_path):
    wide_gamut = small.icc_transform("p3").copy(xres=4.0, yres=4.0)
    wide_gamut.write_to_file(str(tmp_path / "in.jpg"))
    loaded = pyvips.Image.new_from_file(str(tmp_path / "in.jpg"))
    out = loaded.dreamclean(task="denoise", preset="fast", seed=1)
    assert out.get("icc-profile-data") == loaded.get("icc-profile-data")
    assert out.get("exif-data") == loaded.get("exif-data")
    assert abs(out.xres - 4.0) < 1e-6
    assert abs(loaded.dreamclean(task="sr", scale=2, preset="fast", seed=1).xres - 8.0) < 1e-6


def test_bad_input_is_an_error_with_the_library_message(small):
    with pytest.raises(pyvips.Error, match="not one of blind"):
        small.dreamclean(task="nope")
    with pytest.raises(pyvips.Error, match="bands"):
        small.bandjoin([small, small]).dreamclean(task="denoise")
    with pytest.raises(pyvips.Error, match="mask"):
        small.dreamclean(task="inpaint", mask=pyvips.Image.black(5, 5))
    with pytest.raises(pyvips.Error, match="model"):
        small.dreamclean(model="/nonexistent")


def test_killing_the_image_cancels():
    big = pyvips.Image.new_from_file(EXAMPLE).copy_memory()
    timer = threading.Timer(0.5, lambda: big.set_kill(True))
    timer.start()
    with pytest.raises(pyvips.Error, match="cancel"):  # the quality preset would take far longer than 0.5 s
        big.dreamclean(task="denoise", preset="quality", seed=1)
    timer.join()
