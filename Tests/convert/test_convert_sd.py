# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The DreamClean authors
"""Models/dreamclean_models/convert_sd.py on tiny random-weight Stable Diffusion pipelines built with diffusers
(make_fixtures.latent_pipeline): the conversion reproduces the committed fixtures' config.json and weights, a
single-file checkpoint in the original layout converts as its pipeline folder does, and a pipeline it cannot take is a
clear error with exit status 2. Skipped, saying so, where PyTorch, diffusers or
transformers are not installed (make deps-python installs them)."""
import json
import os
import sys

import pytest

pytest.importorskip("torch", reason="PyTorch is not installed (make deps-python)")
pytest.importorskip("diffusers", reason="diffusers is not installed (make deps-python)")
pytest.importorskip("transformers", reason="transformers is not installed (make deps-python)")

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
MODELS = os.path.join(ROOT, "Models")
sys.path.insert(0, MODELS)
import make_fixtures  # noqa: E402


class Result:
    def __init__(self, returncode, stderr):
        self.returncode, self.stderr = returncode, stderr


@pytest.fixture
def convert(capsys, monkeypatch):
    """Runs the converter's command line in this process (importing diffusers once per run, not per call)."""
    from dreamclean_models import convert_sd

    def run(*args):
        monkeypatch.setattr(sys, "argv", ["convert_sd", *map(str, args)])
        capsys.readouterr()
        try:
            convert_sd.main()
            code = 0
        except SystemExit as e:
            code = e.code
        return Result(code, capsys.readouterr().err)
    return run


def read_config(folder):
    with open(os.path.join(folder, "config.json")) as f:
        return json.load(f)


@pytest.mark.parametrize("name, family", [("sd-tiny", "sd"), ("sdxl-tiny", "sdxl")])
def test_conversion_reproduces_the_fixture(tmp_path, convert, name, family):
    pipeline = make_fixtures.latent_pipeline(name, family, str(tmp_path))
    result = convert(pipeline, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    ours, committed = read_config(tmp_path / "out"), read_config(os.path.join(ROOT, "Tests", "Fixtures", name))
    for config in (ours, committed):
        config.pop("source")
    assert ours == committed  # the same architecture, schedule, presets and weight hashes (f16 by default)


@pytest.mark.parametrize("name, family", [("sd-tiny", "sd"), ("sdxl-tiny", "sdxl")])
def test_single_file_converts_like_its_folder(tmp_path, convert, name, family):
    """A single-file checkpoint in the original layout, loaded offline with the pipeline folder as --config (diffusers
    takes only the configs from it), gives the same model folder as the pipeline folder, byte for byte: the weights
    and the empty-prompt conditioning the text encoders made."""
    pipeline = make_fixtures.latent_pipeline(name, family, str(tmp_path))
    single = tmp_path / f"{name}.safetensors"
    make_fixtures.original_checkpoint(pipeline, str(single))
    result = convert(single, tmp_path / "single", "--config", pipeline)
    assert result.returncode == 0, result.stderr
    assert convert(pipeline, tmp_path / "folder").returncode == 0
    single_config, folder_config = read_config(tmp_path / "single"), read_config(tmp_path / "folder")
    for config in (single_config, folder_config):
        config.pop("source")
    assert single_config == folder_config
    # diffusers tells SDXL's two text encoders in a single file apart by their widths, which the tiny ones share: it
    # reads the second from the first's tensors. Real SDXL files (768 and 1280 wide) do not have that problem.
    files = ["model.safetensors", "vae.safetensors"] + (["conditioning.safetensors"] if family == "sd" else [])
    for file in files:
        assert (tmp_path / "single" / file).read_bytes() == (tmp_path / "folder" / file).read_bytes(), file


def test_errors_are_clear(tmp_path, convert):
    result = convert(tmp_path / "missing", tmp_path / "out")
    assert result.returncode == 2 and "no such file or folder" in result.stderr, result.stderr
    result = convert(tmp_path, tmp_path / "out")
    assert result.returncode == 2 and "not a diffusers pipeline folder" in result.stderr, result.stderr
    (tmp_path / "model_index.json").write_text(json.dumps({"_class_name": "KandinskyPipeline"}))
    result = convert(tmp_path, tmp_path / "out")
    assert result.returncode == 2 and "'KandinskyPipeline' is not supported" in result.stderr, result.stderr
    (tmp_path / "model.safetensors").write_bytes(b"")
    result = convert(tmp_path / "model.safetensors", tmp_path / "out")
    assert result.returncode == 2 and "--config" in result.stderr, result.stderr
    assert not (tmp_path / "out").exists()


def test_missing_component_is_clear(tmp_path, convert):
    pipeline = make_fixtures.latent_pipeline("sd-tiny", "sd", str(tmp_path))
    os.remove(os.path.join(pipeline, "unet", "diffusion_pytorch_model.safetensors"))
    result = convert(pipeline, tmp_path / "out")
    assert result.returncode == 2 and "could not load" in result.stderr, result.stderr
    assert not (tmp_path / "out").exists()
