# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The DreamClean authors
"""The package's version comes from the C header's DC_VERSION_* macros (the project's one version source), and a
wheel that bundles the library (make wheel puts it in dreamclean/lib) is tagged for this platform."""
import os
import re

from setuptools import setup
from setuptools.dist import Distribution

HERE = os.path.dirname(os.path.abspath(__file__))


def header_version():
    for path in (os.path.join(HERE, "dreamclean.h"), os.path.join(HERE, "..", "..", "Include", "dreamclean.h")):
        if os.path.exists(path):
            text = open(path, encoding="utf-8").read()
            parts = [re.search(rf"#define DC_VERSION_{p} (\d+)", text) for p in ("MAJOR", "MINOR", "PATCH")]
            if all(parts):
                return ".".join(m.group(1) for m in parts)
    raise SystemExit("dreamclean.h not found: build from the checkout (pip install ./Hosts/python) or with make wheel")


BUNDLED = [p for p in ("lib/libdreamclean.so.0",) if os.path.exists(os.path.join(HERE, "dreamclean", p))]


class BinaryDistribution(Distribution):
    """A wheel with libdreamclean.so.0 inside is for this platform only."""

    def has_ext_modules(self):
        return bool(BUNDLED)


setup(version=header_version(), distclass=BinaryDistribution,
      package_data={"dreamclean": ["lib/*", "share/dreamclean/models/default/*"] if BUNDLED else []})
