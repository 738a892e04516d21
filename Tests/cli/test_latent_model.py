# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The DreamClean authors
"""A latent (Stable Diffusion) model through the CLI, with the tiny random-weight fixture Tests/Fixtures/sd-tiny: its
tasks restore to an image of the input's size, an operator task is refused with no output written, `info` says which
presets are in force and where they came from, `plan` prints the latent plan. Needs DREAMCLEAN_CLI (make check-cli
sets it)."""
import json
import os
import subprocess

import numpy as np
import pyvips

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
CLI = os.environ.get("DREAMCLEAN_CLI", os.path.join(ROOT, ".build", "release", "dreamclean"))
LATENT = os.path.join(ROOT, "Tests", "Fixtures", "sd-tiny")


def run(*args):
    return subprocess.run([CLI, *args], capture_output=True, text=True)


def small_image(path):
    gradient = np.linspace(0, 255, 46, dtype=np.float64)[None, :, None] * np.ones((38, 46, 3))
    pyvips.Image.new_from_array(gradient.astype(np.uint8), interpretation="srgb").write_to_file(str(path))


def test_latent_tasks_restore_at_the_input_size(tmp_path):
    small_image(tmp_path / "in.png")
    for task in ("blind", "denoise", "jpeg"):
        out = tmp_path / f"{task}.png"
        result = run("restore", str(tmp_path / "in.png"), str(out), "--task", task, "--steps", "2", "--seed", "1",
                     "--quiet", "--model", LATENT)
        assert result.returncode == 0, result.stderr
        image = pyvips.Image.new_from_file(str(out))
        assert (image.width, image.height, image.bands) == (46, 38, 3)


def test_operator_task_is_refused_and_writes_nothing(tmp_path):
    small_image(tmp_path / "in.png")
    result = run("restore", str(tmp_path / "in.png"), str(tmp_path / "out.png"), "--task", "deblur", "--model", LATENT)
    assert result.returncode != 0
    assert "latent model" in result.stderr and "deblur" in result.stderr, result.stderr
    assert not (tmp_path / "out.png").exists()


def test_info_names_the_presets_and_their_source():
    result = run("info", "--model", LATENT)
    assert result.returncode == 0, result.stderr
    assert "architecture: sd" in result.stdout
    assert "model tasks: blind, denoise, jpeg" in result.stdout
    assert "presets: config.json" in result.stdout and "jpeg strength" in result.stdout, result.stdout
    described = json.loads(run("info", "--json", "--model", LATENT).stdout)
    assert described["presets"]["source"] == "config.json"
    assert set(described["presets"]["rows"]) == {"blind", "denoise", "jpeg"}


def test_plan_prints_the_latent_plan(tmp_path):
    small_image(tmp_path / "in.png")
    result = run("plan", str(tmp_path / "in.png"), "--json", "--task", "jpeg", "--steps", "7", "--model", LATENT)
    assert result.returncode == 0, result.stderr
    plan = json.loads(result.stdout)
    assert plan["latent"] is True and plan["steps"] == 7
    assert (plan["padded_width"], plan["padded_height"]) == (48, 40)
