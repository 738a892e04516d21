# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The DreamClean authors
"""The paper preset and the blind extras' switches, through the CLI with the default model: what `dreamclean plan`
resolves for a JPEG and for a blurred photo with white noise, and that the paper loop restores. Needs DREAMCLEAN_CLI
(make check-cli)."""
import io
import json
import os
import subprocess

import numpy as np
import pytest
from PIL import Image, ImageFilter

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
CLI = os.environ.get("DREAMCLEAN_CLI", os.path.join(ROOT, ".build", "release", "dreamclean"))
PHOTO = os.path.join(ROOT, "examples", "images", "noisy.png")
MODEL = os.path.join(ROOT, "Models", "default")


def plan(path, *extra):
    out = subprocess.run([CLI, "plan", str(path), "--json", "--model", MODEL, *extra], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


@pytest.fixture(scope="module")
def jpeg(tmp_path_factory):
    """The example photo at JPEG quality 20: blind mode reads its lattice."""
    path = tmp_path_factory.mktemp("jpeg") / "q20.jpg"
    Image.open(PHOTO).convert("RGB").save(path, quality=20)
    return path


@pytest.fixture(scope="module")
def blurred(tmp_path_factory):
    """A photo blurred (Gaussian, 2 px) under white noise of 4/255: blind mode reads the blur."""
    clean = np.asarray(Image.open(os.path.join(ROOT, "Tests", "Fixtures", "photos", "bsds500-100080.png")).convert("RGB")
                       .resize((256, 256), Image.BICUBIC).filter(ImageFilter.GaussianBlur(2))).astype(np.float64)
    noisy = clean + np.random.default_rng(1).normal(0, 4, clean.shape)
    path = tmp_path_factory.mktemp("blur") / "blurred.png"
    Image.fromarray(np.clip(noisy + 0.5, 0, 255).astype(np.uint8)).save(path)
    return path


def test_balanced_runs_the_jpeg_extras_and_each_switch_turns_one_off(jpeg):
    balanced = plan(jpeg)["color"]
    assert balanced["chroma_radius_before"] > 0 and len(balanced["runs"]) == 2  # the busy-region run is the second
    no_chroma = plan(jpeg, "--chroma-filter", "off")["color"]
    assert no_chroma["chroma_radius_before"] == no_chroma["chroma_radius_after"] == 0 and no_chroma["runs"] == balanced["runs"]
    no_busy = plan(jpeg, "--busy-regions", "off")["color"]
    assert no_busy["runs"] == balanced["runs"][:1] and no_busy["chroma_radius_before"] == balanced["chroma_radius_before"]


def test_paper_runs_the_papers_loop_and_no_extras_unless_switched_on(jpeg):
    paper = plan(jpeg, "--preset", "paper")["color"]
    assert paper["chroma_radius_before"] == paper["chroma_radius_after"] == 0 and len(paper["runs"]) == 1
    run = paper["runs"][0]
    assert (run["steps"], run["start"], run["mirror_ensemble"]) == (30, "inversion", False)
    assert run["vps_iters"] == (1 if run["gamma"] > 0 else 0)  # a correction of gamma 0 would change nothing
    noise = plan(PHOTO, "--preset", "paper", "--task", "denoise", "--noise-sigma", "25")["color"]["runs"][0]
    assert noise["gamma"] > 0 and noise["vps_iters"] == 1  # the sweep kept VPS where it helped: white noise
    with_extras = plan(jpeg, "--preset", "paper", "--chroma-filter", "on", "--busy-regions", "on")["color"]
    balanced = plan(jpeg)["color"]
    assert with_extras["chroma_radius_before"] == balanced["chroma_radius_before"] and len(with_extras["runs"]) == 2
    assert with_extras["runs"][0] == run


def test_guessed_deblur_is_a_switch(blurred):
    assert plan(blurred)["reading"]["blur_sigma"] is not None
    for extra in (["--guessed-deblur", "off"], ["--preset", "paper"]):
        reading = plan(blurred, *extra)["reading"]
        assert reading["blur_sigma"] is None and "deblurred" not in reading["summary"], extra
    assert plan(blurred, "--preset", "paper", "--guessed-deblur", "on")["reading"]["blur_sigma"] is not None


def test_the_paper_loop_restores_a_noisy_photo(tmp_path):
    """The paper preset on the example photo (noise 25/255 given), which has no truth to score against: the output is
    smoother than the input (under 0.7 of its mean difference between neighbours) and stays near it (above 20 dB)."""
    out = tmp_path / "paper.png"
    subprocess.run([CLI, "restore", PHOTO, str(out), "--task", "denoise", "--noise-sigma", "25", "--preset", "paper",
                    "--seed", "1", "--quiet", "--model", MODEL], check=True)
    x = np.asarray(Image.open(PHOTO).convert("RGB")).astype(np.float64)
    y = np.asarray(Image.open(out).convert("RGB")).astype(np.float64)
    assert y.shape == x.shape
    rough = lambda z: np.abs(np.diff(z, axis=1)).mean()  # noqa: E731
    assert rough(y) < 0.7 * rough(x)
    assert 10 * np.log10(255 ** 2 / np.mean((x - y) ** 2)) > 20
