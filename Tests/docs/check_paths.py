# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The DreamClean authors
"""Every repository path the given documents name exists: words that start with one of the checkout's top-level
folders (Sources/..., docs/..., Hosts/...), wildcards allowed. Build outputs (.build*) and ../shared are not paths
of the checkout and are not checked.   usage: check_paths.py FILE..."""
import glob
import os
import re
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
TOP = sorted(name for name in os.listdir(ROOT) if os.path.isdir(os.path.join(ROOT, name)) and not name.startswith(".build")
             and name not in (".git",))
PATH = re.compile(r"(?<![\w./-])((?:%s)/[\w.*/+-]*[\w*/])" % "|".join(re.escape(t) for t in TOP))


def missing(document):
    text = open(document, encoding="utf-8").read()
    for match in PATH.finditer(text):
        path = match.group(1).rstrip("/.")
        if not glob.glob(os.path.join(ROOT, path)):
            line = text.count("\n", 0, match.start()) + 1
            yield f"{os.path.relpath(document, ROOT)}:{line}: {path}"


problems = [p for document in sys.argv[1:] for p in missing(document)]
print("\n".join(problems) if problems else f"docs: every path named in {len(sys.argv) - 1} documents exists")
sys.exit(1 if problems else 0)
