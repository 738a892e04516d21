# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The DreamClean authors
"""Restore an image file from Python: python3 examples/python/restore.py IN OUT [name=value ...]
(e.g. task=denoise noise_sigma=25). Pillow for the files, the library for everything else."""
import os
import sys

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Hosts", "python"))
import dreamclean  # noqa: E402

source, target, *settings = sys.argv[1:]
params = dict(item.split("=", 1) for item in settings)
types = {p["name"]: p["type"] for p in dreamclean.parameters()}
params = {k: int(v) if types.get(k) == "int" else float(v) if types.get(k) == "float" else v for k, v in params.items()}
with dreamclean.Context() as dc:
    image = np.asarray(Image.open(source).convert("RGB"))
    print(dc.plan(image, **params)["color"]["problem"])
    Image.fromarray(dc.restore(image, **params)).save(target)
