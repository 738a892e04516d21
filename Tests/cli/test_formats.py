# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The DreamClean authors
"""The CLI's image files as users have them (the policy in Sources/DreamCleanImageIO/include/dreamclean_image_io.h):
truncated PNG and JPEG files refused; 8-, 16- and 32-bit unsigned samples scaled by their range and saved back at
their depth, float kept as float, signed samples refused; EXIF orientation applied, the ICC profile and the resolution
carried over; a save option in OUT; OUT's permissions and symbolic link kept; more than 4 bands refused; the
documented --seed -1 and small tiles taken. Every file is made here with pyvips. Needs DREAMCLEAN_CLI (make check-cli sets it)."""
import os
import subprocess

import numpy as np
import pytest
import pyvips

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
CLI = os.environ.get("DREAMCLEAN_CLI", os.path.join(ROOT, ".build", "release", "dreamclean"))
TINY = os.path.join(ROOT, "Tests", "Fixtures", "adm-tiny")  # fast; the formats do not depend on the model
RESTORE = ["--task", "denoise", "--noise-sigma", "25", "--preset", "fast", "--seed", "1", "--quiet", "--model", TINY]


@pytest.fixture(scope="module")
def small():
    return pyvips.Image.new_from_file(os.path.join(ROOT, "examples", "images", "noisy.png")).crop(40, 40, 48, 40)


def restore(source, target, *extra):
    return subprocess.run([CLI, "restore", str(source), str(target), *RESTORE, *extra], capture_output=True, text=True)


def pixels(path):
    return np.asarray(pyvips.Image.new_from_file(str(path)).numpy(), dtype=np.float64)


@pytest.fixture(scope="module")
def reference(small, tmp_path_factory):
    """The 8-bit restoration, in [0, 1]."""
    folder = tmp_path_factory.mktemp("reference")
    small.write_to_file(str(folder / "small.png"))
    assert restore(folder / "small.png", folder / "out.png").returncode == 0
    return pixels(folder / "out.png") / 255


@pytest.mark.parametrize("suffix", [".png", ".jpg"])
def test_truncated_files_are_refused(small, tmp_path, suffix):
    whole = tmp_path / f"whole{suffix}"
    small.write_to_file(str(whole))
    data = whole.read_bytes()
    cut = tmp_path / f"cut{suffix}"
    cut.write_bytes(data[:len(data) // 2])
    result = restore(cut, tmp_path / "out.png")
    assert result.returncode == 65, result.stderr
    assert not (tmp_path / "out.png").exists()
    assert not [name for name in os.listdir(tmp_path) if "partial" in name]


def test_uint32_is_scaled_by_its_range_and_stays_32_bit(small, reference, tmp_path):
    wide = (small.cast("uint") * (2**32 - 1) / 255).cast("uint")
    wide.write_to_file(str(tmp_path / "in.tif"))
    assert restore(tmp_path / "in.tif", tmp_path / "out.tif").returncode == 0
    out = pyvips.Image.new_from_file(str(tmp_path / "out.tif"))
    assert out.format == "uint"
    assert np.abs(pixels(tmp_path / "out.tif") / (2**32 - 1) - reference).max() <= 1.01 / 255


def test_sixteen_bit_stays_sixteen_bit(small, reference, tmp_path):
    (small.cast("ushort") * 257).cast("ushort").copy(interpretation="rgb16").write_to_file(str(tmp_path / "in.png"))
    assert restore(tmp_path / "in.png", tmp_path / "out.png").returncode == 0
    assert pyvips.Image.new_from_file(str(tmp_path / "out.png")).format == "ushort"
    assert np.abs(pixels(tmp_path / "out.png") / 65535 - reference).max() <= 1.01 / 255


def test_float_stays_float(small, reference, tmp_path):
    (small.cast("float") / 255).write_to_file(str(tmp_path / "in.tif"))
    assert restore(tmp_path / "in.tif", tmp_path / "out.tif").returncode == 0
    assert pyvips.Image.new_from_file(str(tmp_path / "out.tif")).format == "float"
    assert np.abs(pixels(tmp_path / "out.tif") - reference).max() <= 0.51 / 255
    # A format without float samples gets 16 bits.
    assert restore(tmp_path / "in.tif", tmp_path / "out.png").returncode == 0
    assert pyvips.Image.new_from_file(str(tmp_path / "out.png")).format == "ushort"


@pytest.mark.parametrize("format", ["char", "short", "int"])
def test_signed_samples_are_refused(small, tmp_path, format):
    (small.cast(format) - 100).cast(format).write_to_file(str(tmp_path / "in.tif"))
    result = restore(tmp_path / "in.tif", tmp_path / "out.tif")
    assert result.returncode == 65 and "signed" in result.stderr, result.stderr
    assert not (tmp_path / "out.tif").exists()


def test_exif_orientation_is_applied(small, tmp_path):
    image = small.copy()
    image.set_type(pyvips.GValue.gint_type, "orientation", 6)  # stored sideways: shown turned 90 degrees clockwise
    image.write_to_file(str(tmp_path / "in.jpg"))
    assert restore(tmp_path / "in.jpg", tmp_path / "out.jpg").returncode == 0
    out = pyvips.Image.new_from_file(str(tmp_path / "out.jpg"))
    assert (out.width, out.height) == (40, 48)
    assert "orientation" not in out.get_fields() or out.get("orientation") == 1


def test_icc_profile_and_resolution_are_carried(small, tmp_path):
    wide_gamut = small.icc_transform("p3")  # the pixels in Display P3, its profile embedded
    wide_gamut = wide_gamut.copy(xres=5.0, yres=5.0)  # pixels per millimetre
    wide_gamut.write_to_file(str(tmp_path / "in.jpg"))
    profile = pyvips.Image.new_from_file(str(tmp_path / "in.jpg")).get("icc-profile-data")
    assert restore(tmp_path / "in.jpg", tmp_path / "out.png").returncode == 0
    out = pyvips.Image.new_from_file(str(tmp_path / "out.png"))
    assert out.get("icc-profile-data") == profile
    assert abs(out.xres - 5.0) < 0.01
    assert restore(tmp_path / "in.jpg", tmp_path / "big.png", "--task", "sr", "--scale", "2").returncode == 0
    assert abs(pyvips.Image.new_from_file(str(tmp_path / "big.png")).xres - 10.0) < 0.01


def test_save_options_in_out(small, tmp_path):
    small.write_to_file(str(tmp_path / "in.png"))
    result = restore(tmp_path / "in.png", str(tmp_path / "out.png") + "[compression=9]")
    assert result.returncode == 0, result.stderr
    assert sorted(os.listdir(tmp_path)) == ["in.png", "out.png"]


def test_out_keeps_its_permissions_and_its_link(small, tmp_path):
    small.write_to_file(str(tmp_path / "in.png"))
    small.write_to_file(str(tmp_path / "target.png"))
    os.chmod(tmp_path / "target.png", 0o640)
    os.symlink("target.png", tmp_path / "link.png")
    assert restore(tmp_path / "in.png", tmp_path / "link.png").returncode == 0
    assert os.path.islink(tmp_path / "link.png") and os.readlink(tmp_path / "link.png") == "target.png"
    assert os.stat(tmp_path / "target.png").st_mode & 0o777 == 0o640
    assert not np.array_equal(pixels(tmp_path / "target.png"), pixels(tmp_path / "in.png"))


def test_more_than_four_bands_are_refused(small, tmp_path):
    small.bandjoin([small[0], small[1]]).write_to_file(str(tmp_path / "in.v"))
    result = restore(tmp_path / "in.v", tmp_path / "out.png")
    assert result.returncode == 65 and "5 bands" in result.stderr, result.stderr


@pytest.mark.parametrize("extra", [["--seed", "-1"], ["--tile-size", "32"], ["--tile-size", "64"], ["--tile-size", "128"]])
def test_documented_values_are_taken(small, tmp_path, extra):
    """-1 is the documented "a new seed each run"; small tiles work with the overlap left to the library."""
    small.write_to_file(str(tmp_path / "in.png"))
    result = subprocess.run([CLI, "restore", str(tmp_path / "in.png"), str(tmp_path / "out.png"), "--task", "denoise",
                             "--noise-sigma", "25", "--preset", "fast", "--quiet", "--model", TINY, *extra],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
