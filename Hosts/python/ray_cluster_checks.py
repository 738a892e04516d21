# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The DreamClean authors
"""dreamclean.ray on a local Ray cluster (started by test_ray.sh on loopback, in its own network namespace):
restore_paths with one corrupt file, outputs equal to one-process restores with the same seeds, a rerun that restores
nothing, and RestoreBatch's error column."""
import os

import numpy as np
import pytest
import ray
from PIL import Image

import dreamclean
import dreamclean.ray as dray

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
MODEL = os.path.join(ROOT, "Tests", "Fixtures", "adm-tiny")
PARAMS = {"preset": "fast"}


@pytest.fixture(scope="module", autouse=True)
def cluster():
    ray.init(address=os.environ["RAY_ADDRESS"], log_to_driver=False)
    yield
    ray.shutdown()


def photos(folder):
    source = np.asarray(Image.open(os.path.join(ROOT, "examples", "images", "noisy.png")).convert("RGB"))
    for i in range(12):
        sub = os.path.join(folder, "sub" if i % 3 == 0 else "")
        os.makedirs(sub, exist_ok=True)
        y, x = (i * 11) % 140, (i * 17) % 160
        Image.fromarray(source[y:y + 40, x:x + 48]).save(os.path.join(sub, f"{i:02d}.png"))
    with open(os.path.join(folder, "corrupt.png"), "wb") as out:
        out.write(b"\x89PNG not really")


def test_restore_paths_with_a_corrupt_file_and_a_rerun(tmp_path):
    inputs, outputs, manifest = str(tmp_path / "in"), str(tmp_path / "out"), str(tmp_path / "manifest.jsonl")
    photos(inputs)
    records = dray.restore_paths([inputs], outputs, manifest=manifest, model=MODEL, params=PARAMS, actors=2)
    by_status = {s: [r for r in records if r["status"] == s] for s in ("restored", "failed", "skipped")}
    assert len(by_status["restored"]) == 12 and len(by_status["failed"]) == 1, records
    assert "corrupt.png" in by_status["failed"][0]["input"] and by_status["failed"][0]["error"]
    with dreamclean.Context(MODEL) as context:  # one process, the same seeds
        for item in dray.plan_files([inputs], outputs):
            if item["input"].endswith("corrupt.png"):
                continue
            expected = context.restore(np.asarray(Image.open(item["input"]).convert("RGB")), seed=dray.seed_for(item["relative"]),
                                       **PARAMS)
            assert np.array_equal(np.asarray(Image.open(item["output"])), expected), item
    assert not [n for _, _, names in os.walk(outputs) for n in names if "partial" in n]
    again = dray.restore_paths([inputs], outputs, manifest=manifest, model=MODEL, params=PARAMS, actors=2)
    assert [r["status"] for r in again].count("skipped") == 12 and not [r for r in again if r["status"] == "restored"]
    assert len(open(manifest).read().splitlines()) == 13 + 13


def test_restore_batch_has_an_error_column():
    good = np.full((24, 32, 3), 120, np.uint8)
    rows = [{"path": f"p{i}.png", "image": good} for i in range(3)] + [{"path": "bad.png", "image": np.zeros((4, 4, 5), np.uint8)}]
    out = ray.data.from_items(rows).map_batches(
        dray.RestoreBatch, fn_constructor_kwargs={"model": MODEL, "params": PARAMS},
        compute=ray.data.ActorPoolStrategy(size=1), num_cpus=1, batch_size=2).take_all()
    errors = {row["path"]: row["error"] for row in out}
    assert errors["bad.png"] and not any(errors[f"p{i}.png"] for i in range(3)), errors
    with dreamclean.Context(MODEL) as context:
        expected = context.restore(good, seed=dray.seed_for("p1.png"), **PARAMS)
    assert np.array_equal(next(r for r in out if r["path"] == "p1.png")["restored"], expected)
