# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The DreamClean authors
"""Finding and loading libdreamclean.so.0, once, with the C signatures the package calls."""
import ctypes
import ctypes.util
import os
import subprocess
from typing import List, Optional

from .errors import LibraryNotFoundError

_HERE = os.path.dirname(os.path.abspath(__file__))
_SONAME = "libdreamclean.so.0"
_lib: Optional[ctypes.CDLL] = None
_explicit: Optional[str] = None

PROGRESS = ctypes.CFUNCTYPE(ctypes.c_bool, ctypes.c_void_p, ctypes.c_double)


def use(path: str) -> None:
    """Load the library from `path` (before the first call; afterwards the loaded one stays)."""
    global _explicit
    _explicit = path


def candidates() -> List[str]:
    """Where the library is looked for, in order: `use(path)`, $DREAMCLEAN_LIBRARY, the copy bundled in a wheel, the
    prefix pkg-config names for `dreamclean` (make install), the platform loader's search, this checkout's build."""
    found = [_explicit, os.environ.get("DREAMCLEAN_LIBRARY"), os.path.join(_HERE, "lib", _SONAME)]
    try:
        libdir = subprocess.run(["pkg-config", "--variable=libdir", "dreamclean"], capture_output=True, text=True,
                                timeout=10).stdout.strip()
        found.append(os.path.join(libdir, _SONAME) if libdir else None)
    except (OSError, subprocess.SubprocessError):
        pass
    found.append(ctypes.util.find_library("dreamclean"))
    found.append(os.path.join(_HERE, "..", "..", "..", ".build", "release", _SONAME))
    return [c for c in found if c]


def library() -> ctypes.CDLL:
    global _lib
    if _lib is None:
        tried = []
        for path in candidates():
            try:
                loaded = ctypes.CDLL(path)
                break
            except OSError as error:
                tried.append(f"{path} ({error})")
        else:
            raise LibraryNotFoundError("libdreamclean not found; tried " + "; ".join(tried) +
                                       ". Run `make install` (or `make library` in a checkout), install the wheel, or set"
                                       " DREAMCLEAN_LIBRARY")
        _declare(loaded)
        _lib = loaded
    return _lib


def _declare(lib: ctypes.CDLL) -> None:
    handle, status, size = ctypes.c_void_p, ctypes.c_int, ctypes.c_size_t
    signatures = {
        "dc_last_error_message": ([], ctypes.c_char_p),
        "dc_version_string": ([], ctypes.c_char_p),
        "dc_status_string": ([ctypes.c_int], ctypes.c_char_p),
        "dc_context_new": ([ctypes.c_char_p, ctypes.POINTER(handle)], status),
        "dc_context_set_int": ([handle, ctypes.c_char_p, ctypes.c_int64], status),
        "dc_context_get_int": ([handle, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int64)], status),
        "dc_context_get_model_info": ([handle, ctypes.c_char_p, size, ctypes.POINTER(size)], status),
        "dc_context_release": ([handle], None),
        "dc_filter_new": ([handle, ctypes.POINTER(handle)], status),
        "dc_filter_set_image": ([handle, ctypes.c_char_p, ctypes.c_void_p, ctypes.c_int, size, size, size, size, size], status),
        "dc_filter_set_int": ([handle, ctypes.c_char_p, ctypes.c_int64], status),
        "dc_filter_set_float": ([handle, ctypes.c_char_p, ctypes.c_double], status),
        "dc_filter_set_bool": ([handle, ctypes.c_char_p, ctypes.c_bool], status),
        "dc_filter_set_string": ([handle, ctypes.c_char_p, ctypes.c_char_p], status),
        "dc_filter_set_kernel": ([handle, ctypes.c_char_p, ctypes.POINTER(ctypes.c_float), size], status),
        "dc_filter_set_progress": ([handle, PROGRESS, ctypes.c_void_p], status),
        "dc_filter_execute": ([handle], status),
        "dc_filter_read_input": ([handle, ctypes.c_void_p], status),
        "dc_filter_get_output_size": ([handle, size, size, ctypes.POINTER(size), ctypes.POINTER(size)], status),
        "dc_filter_get_plan": ([handle, ctypes.c_char_p, size, ctypes.POINTER(size)], status),
        "dc_filter_cancel": ([handle], status),
        "dc_filter_release": ([handle], None),
        "dc_params_json": ([ctypes.c_char_p, size, ctypes.POINTER(size)], status),
    }
    for name, (arguments, result) in signatures.items():
        function = getattr(lib, name)
        function.argtypes, function.restype = arguments, result
