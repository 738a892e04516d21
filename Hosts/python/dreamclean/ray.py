# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The DreamClean authors
"""DreamClean on Ray Data: the model loaded once per actor, numpy batches in and out, an error column instead of a
failed job, and a resumable directory restore with a manifest (docs/scale-out.md).

    import ray, dreamclean.ray as dray
    ds = ray.data.from_items([{"path": p, "image": load(p)} for p in paths])
    out = ds.map_batches(dray.RestoreBatch, fn_constructor_kwargs={"params": {"task": "denoise"}},
                         compute=ray.data.ActorPoolStrategy(size=2), num_cpus=1, batch_size=4)
    dray.restore_paths(["photos/"], "restored/", manifest="restored/manifest.jsonl", actors=2)

Seeds: without a `seed` parameter each row's comes from its path as the CLI's batch mode derives it, so a Ray run, a
CLI batch and a single restore with that seed give the same image.
"""
import json
import os
import time
from typing import Any, Dict, Iterable, List, Optional

import numpy as np

from . import Context, DreamCleanError

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".webp", ".pgm", ".ppm", ".pnm", ".bmp"}
LARGEST_SEED = (1 << 53) - 1


def seed_for(relative: str) -> int:
    """FNV-1a of the relative path within 2^53: the seed the CLI's batch mode gives the same file."""
    value = 0xcbf29ce484222325
    for byte in relative.encode():
        value = ((value ^ byte) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return value & LARGEST_SEED


def _actor_threads() -> int:
    """The CPUs Ray gave this actor (0, one per core, outside Ray)."""
    try:
        import ray
        return max(int(ray.get_runtime_context().get_assigned_resources().get("CPU", 0)), 1)
    except Exception:  # not inside a Ray worker
        return 0


class RestoreBatch:
    """For `Dataset.map_batches` (an actor class): rows with an `image` (HxW or HxWxC numpy array) and optionally a
    `path` (the seed comes from it; without a path column and no `seed` parameter every row gets seed 0); adds
    `restored`, `seed` and `error` ("" when it went well, the library's message when not; the row's `restored` is then
    its input)."""

    def __init__(self, model: Optional[str] = None, params: Optional[Dict[str, Any]] = None,
                 image_column: str = "image", path_column: str = "path"):
        self.context = Context(model, threads=_actor_threads())
        self.params = dict(params or {})
        self.image_column, self.path_column = image_column, path_column

    def __call__(self, batch: Dict[str, np.ndarray]) -> Dict[str, np.ndarray]:
        images = batch[self.image_column]
        paths = batch.get(self.path_column)
        restored, seeds, errors = [], [], []
        for index, image in enumerate(images):
            params = dict(self.params)
            if "seed" not in params:
                params["seed"] = seed_for(str(paths[index])) if paths is not None else 0
            try:
                restored.append(self.context.restore(np.asarray(image), **params))
                errors.append("")
            except (DreamCleanError, TypeError, ValueError) as error:
                restored.append(np.asarray(image))
                errors.append(str(error))
            seeds.append(params["seed"])
        out = dict(batch)
        out["restored"] = _objects(restored)
        out["seed"] = np.array(seeds, dtype=np.int64)
        out["error"] = np.array(errors, dtype=object)
        return out


def _objects(arrays: List[np.ndarray]) -> np.ndarray:
    """A column of arrays of different shapes (an object array, never one stacked array)."""
    column = np.empty(len(arrays), dtype=object)
    for i, a in enumerate(arrays):
        column[i] = a
    return column


class _RestoreFiles:
    """Rows of (input, relative, output): read, restore, write atomically; a status row each, nothing raised."""

    def __init__(self, model: Optional[str], params: Dict[str, Any]):
        self.context = Context(model, threads=_actor_threads())
        self.params = params

    def __call__(self, batch: Dict[str, np.ndarray]) -> Dict[str, np.ndarray]:
        from PIL import Image
        statuses, errors, seeds, seconds = [], [], [], []
        for source, relative, target in zip(batch["input"], batch["relative"], batch["output"]):
            start = time.perf_counter()
            params = dict(self.params)
            params.setdefault("seed", seed_for(str(relative)))
            try:
                with Image.open(source) as opened:
                    image = np.asarray(opened.convert("RGBA" if opened.mode in ("RGBA", "LA", "P") else "RGB"))
                restored = self.context.restore(image, **params)
                os.makedirs(os.path.dirname(target) or ".", exist_ok=True)
                partial = f"{target}.partial-{os.getpid()}{os.path.splitext(target)[1]}"
                Image.fromarray(restored).save(partial)
                os.replace(partial, target)  # the output is complete or absent
                statuses.append("restored"), errors.append("")
            except Exception as error:  # one bad file is a row, not a failed job
                statuses.append("failed"), errors.append(f"{type(error).__name__}: {error}")
            seeds.append(params["seed"])
            seconds.append(time.perf_counter() - start)
        return {"input": batch["input"], "output": batch["output"], "status": np.array(statuses, dtype=object),
                "seed": np.array(seeds, dtype=np.int64), "seconds": np.array(seconds), "error": np.array(errors, dtype=object)}


def plan_files(paths: Iterable[str], out_dir: str, suffix: str = ".png") -> List[Dict[str, str]]:
    """(input, relative, output) for each image the paths name, folders walked in name order as the CLI does (links to
    folders not followed); outputs keep their relative path with `suffix`."""
    items = []
    for path in paths:
        if os.path.isdir(path):
            for folder, subfolders, names in os.walk(path):
                subfolders[:] = sorted(d for d in subfolders if not os.path.islink(os.path.join(folder, d)))
                for name in sorted(names):
                    full = os.path.join(folder, name)
                    if os.path.splitext(name)[1].lower() in IMAGE_SUFFIXES and os.path.isfile(full):
                        items.append((full, os.path.relpath(full, path)))
        else:
            items.append((path, os.path.basename(path)))
    return [{"input": source, "relative": relative, "output": os.path.join(out_dir, os.path.splitext(relative)[0] + suffix)}
            for source, relative in items]


def restore_paths(paths: Iterable[str], out_dir: str, manifest: Optional[str] = None, model: Optional[str] = None,
                  params: Optional[Dict[str, Any]] = None, actors: int = 1, cpus_per_actor: float = 1,
                  overwrite: bool = False, batch_size: int = 4) -> List[Dict[str, Any]]:
    """Restores the images `paths` name (files and folders) into `out_dir` on the Ray cluster this process is
    connected to, `actors` actors of `cpus_per_actor` CPUs; skips outputs that exist unless `overwrite` (a rerun
    resumes). Returns a record per file and appends them to `manifest` as JSON lines."""
    import ray
    items = plan_files(paths, out_dir)
    records = [{"input": i["input"], "output": i["output"], "status": "skipped", "error": "the output exists"}
               for i in items if not overwrite and os.path.exists(i["output"])]
    todo = [i for i in items if overwrite or not os.path.exists(i["output"])]
    if todo:
        dataset = ray.data.from_items(todo).map_batches(
            _RestoreFiles, fn_constructor_kwargs={"model": model, "params": dict(params or {})},
            compute=ray.data.ActorPoolStrategy(size=max(1, min(actors, len(todo)))), num_cpus=cpus_per_actor,
            batch_size=batch_size)
        for row in dataset.iter_rows():
            records.append({"input": str(row["input"]), "output": str(row["output"]), "status": str(row["status"]),
                            "seed": int(row["seed"]), "seconds": float(row["seconds"]), "error": str(row["error"]) or None})
    if manifest:
        with open(manifest, "a", encoding="utf-8") as out:
            for record in records:
                out.write(json.dumps(record) + "\n")
    return records
