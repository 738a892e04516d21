#!/bin/sh
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The DreamClean authors
#
# Installs the wheel into a fresh virtual environment and restores an image with it from outside the checkout, with
# no DREAMCLEAN_* variables: the bundled library and default model must be found, and the version be the header's.
#   sh test_wheel.sh WHEEL_FOLDER VENV_FOLDER
set -eu
wheels=$1 venv=$2
wheel=$(ls "$wheels"/dreamclean-*.whl)
rm -rf "$venv"
python3 -m venv --system-site-packages "$venv"  # numpy from the system; nothing is downloaded
"$venv/bin/python" -m pip install -q --no-deps --no-index "$wheel"
header=$(awk '/^#define DC_VERSION_(MAJOR|MINOR|PATCH) / { v = v (v == "" ? "" : ".") $3 } END { print v }' Include/dreamclean.h)
image=$(pwd)/examples/images/noisy.png
cd /tmp
env -u DREAMCLEAN_LIBRARY -u DREAMCLEAN_MODEL "$OLDPWD/$venv/bin/python" - "$image" "$header" <<'PY'
import importlib.metadata, os, sys
import numpy as np
from PIL import Image
import dreamclean
image, header = sys.argv[1], sys.argv[2]
assert os.path.dirname(dreamclean.__file__).startswith(sys.prefix), dreamclean.__file__  # the installed copy
assert dreamclean.version() == header == importlib.metadata.version("dreamclean"), (dreamclean.version(), header)
noisy = np.asarray(Image.open(image).convert("RGB"))[40:80, 40:88]
with dreamclean.Context() as dc:                       # the bundled default model
    restored = dc.restore(noisy, task="denoise", noise_sigma=25, preset="fast", seed=1)
    terms = dc.model_info                              # the bundled model's terms and card travel with it
assert terms["license"] == "research use only" and os.path.isfile(terms["card"]), terms
assert restored.shape == noisy.shape and restored.dtype == np.uint8
assert np.abs(restored.astype(int) - noisy).mean() > 1, "nothing was restored"
try:
    dreamclean.Context().restore(noisy, steps=-5)
except dreamclean.InvalidInputError as error:
    assert error.status == "INVALID_ARGUMENT" and "steps" in error.message
else:
    raise AssertionError("steps=-5 was accepted")
print(f"wheel: installed {os.path.basename(os.path.dirname(dreamclean.__file__))} {header} into a fresh venv;"
      " its own library and default model restored an image")
PY
