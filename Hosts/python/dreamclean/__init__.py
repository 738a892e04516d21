# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The DreamClean authors
"""DreamClean from Python through ctypes, on numpy arrays.

    import numpy as np, dreamclean
    with dreamclean.Context() as dc:                      # the default model; Context("path/to/model") for another
        restored = dc.restore(noisy, task="denoise", noise_sigma=25, seed=1)

Images are numpy arrays of uint8, uint16 or float32 (0..1), shaped (H, W) or (H, W, C) with 1-4 channels, with any
strides (those the library cannot read in place, such as broadcast, negative or transposed ones, are copied first). Keyword parameters are the library's own schema (`dreamclean.parameters()`), checked by name
and type. Errors raise `DreamCleanError` subclasses (`dreamclean.errors`) with the library's message.

The library is found as `dreamclean._library.candidates()` lists: `use_library(path)`, $DREAMCLEAN_LIBRARY, the copy a
wheel bundles, the prefix pkg-config names (make install), the platform loader, this checkout's build folder.
"""
import contextlib
import ctypes
import json
from typing import Any, Callable, Dict, Iterator, List, Optional

import numpy as np

from . import _library
from .errors import (BY_STATUS, CancelledError, DreamCleanError, InvalidInputError, InvalidOperationError,
                     LibraryNotFoundError, ModelError, OutOfMemoryError)

__all__ = ["Context", "Job", "DreamCleanError", "InvalidInputError", "InvalidOperationError", "OutOfMemoryError",
           "CancelledError", "ModelError", "LibraryNotFoundError", "parameters", "version", "use_library"]

_FORMATS = {np.dtype(np.uint8): 1, np.dtype(np.uint16): 2, np.dtype(np.float32): 3}
use_library = _library.use


class _Reading(ctypes.Structure):
    """dc_reading: what blind restoration reads from an image."""
    _fields_ = [("struct_size", ctypes.c_size_t), ("noise_sigma", ctypes.c_double), ("jpeg_step", ctypes.c_int),
                ("jpeg_quality", ctypes.c_int), ("blur_sigma", ctypes.c_double), ("camera_noise_sigma", ctypes.c_double)]


def _lib() -> ctypes.CDLL:
    return _library.library()


def _error(code: int, message: str) -> DreamCleanError:
    """The exception for a dc_status code: its name from the library (dc_status_string), its class by kind."""
    name = _lib().dc_status_string(code).decode().removeprefix("DC_ERROR_").removeprefix("DC_")
    return BY_STATUS.get(name, DreamCleanError)(name, message, code)


def _check(status: int) -> None:
    if status != 0:
        raise _error(status, _lib().dc_last_error_message().decode("utf-8", "replace"))


def _string_out(call: Callable[..., int]) -> str:
    """A string from a call that fills (buffer, capacity, needed): asked for its size, then for it."""
    needed = ctypes.c_size_t(0)
    _check(call(None, 0, ctypes.byref(needed)))
    buffer = ctypes.create_string_buffer(needed.value)
    _check(call(buffer, needed.value, ctypes.byref(needed)))
    return buffer.value.decode()


def version() -> str:
    """The library's version (dc_version_string)."""
    return _lib().dc_version_string().decode()


def parameters() -> List[Dict[str, Any]]:
    """The library's parameter schema: dicts with name, type, description, help, unit, default, range (minimum,
    maximum, and the `unset` value with its meaning) or choices, and any constraint."""
    return json.loads(_string_out(_lib().dc_params_json))


_schema: Optional[Dict[str, Dict[str, Any]]] = None


def _parameter(name: str) -> Dict[str, Any]:
    global _schema
    if _schema is None:
        _schema = {p["name"]: p for p in parameters()}
    if name not in _schema:
        raise _error(2, f"unknown parameter '{name}' (known: {', '.join(_schema)})")
    return _schema[name]


# The arrays a restoration takes besides its parameters (dc_filter_set_kernel).
_KERNELS = ("blur_kernel", "sr_taps")


class Job:
    """One restoration in progress; `cancel()` may be called from any thread."""

    def __init__(self, handle: ctypes.c_void_p):
        self._handle = handle

    def cancel(self) -> None:
        _check(_lib().dc_filter_cancel(self._handle))


class Context:
    """A loaded model; share one between threads (its restorations run one at a time)."""

    def __init__(self, model: Optional[str] = None, threads: int = 0, max_memory_mb: Optional[int] = None,
                 bf16: Optional[bool] = None, int8: bool = False):
        """threads: 0 for one per core that other processes leave idle. max_memory_mb: what a restoration may hold besides its images (default
        2048); larger images are restored in bands, and one that cannot fit raises OutOfMemoryError. bf16: convolutions in
        bfloat16 (None: the library's default, bf16 where the CPU has AVX-512 BF16 or AMX; False: f32); the `bf16`
        property says which runs. int8: convolutions in 8-bit integers where the model ships an int8 calibration and the
        CPU has AVX-512 VNNI (else as bf16 says); the `int8` property says whether they run so."""
        self._handle: Optional[ctypes.c_void_p] = None
        handle = ctypes.c_void_p()
        _check(_lib().dc_context_new(model.encode() if model else None, ctypes.byref(handle)))
        self._handle = handle
        if threads:
            _check(_lib().dc_context_set_int(self._handle, b"num_threads", threads))
        if max_memory_mb is not None:
            _check(_lib().dc_context_set_int(self._handle, b"max_memory_mb", max_memory_mb))
        if bf16 is not None:
            _check(_lib().dc_context_set_int(self._handle, b"bf16", 1 if bf16 else 0))
        if int8:
            _check(_lib().dc_context_set_int(self._handle, b"int8", 1))

    def _setting(self, name: bytes) -> int:
        value = ctypes.c_int64()
        _check(_lib().dc_context_get_int(self._handle, name, ctypes.byref(value)))
        return value.value

    @property
    def bf16(self) -> bool:
        """Whether convolutions run in bfloat16 (the default where the CPU has it)."""
        return self._setting(b"bf16") == 1

    @property
    def int8(self) -> bool:
        """Whether convolutions run in int8 (asked for, and the model and CPU have it)."""
        return self._setting(b"int8") == 1

    def close(self) -> None:
        if self._handle:
            _lib().dc_context_release(self._handle)
            self._handle = None

    def __enter__(self) -> "Context":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        self.close()

    @property
    def model_info(self) -> Dict[str, Any]:
        """The model as its config.json states it (dc_context_get_model_info): name, folder, license, terms,
        training_data, training_steps, source, architecture, parameters, weights_sha256, card, tasks (what it restores),
        int8_convolutions (how many its int8 calibration covers; 0: none) and presets ({"source": "library" or
        "config.json", "rows": the model's own rows by task}). The bundled default
        model is for research use only; its terms say why."""
        return json.loads(_string_out(lambda *out: _lib().dc_context_get_model_info(self._handle, *out)))

    def read(self, image: np.ndarray) -> Dict[str, Any]:
        """What task="blind" reads from `image` before restoring it, without restoring: a dict with noise_sigma (0-255
        units), jpeg_step and jpeg_quality (None: no JPEG blocks), blur_sigma (pixels; None: not deblurred),
        camera_noise_sigma (0-255 units per pixel; None: no camera noise read, the white-noise path)."""
        reading = _Reading(struct_size=ctypes.sizeof(_Reading))
        with self._filter(self._array(image), {}) as handle:
            _check(_lib().dc_filter_read_input(handle, ctypes.byref(reading)))
        return {"noise_sigma": reading.noise_sigma, "jpeg_step": reading.jpeg_step or None,
                "jpeg_quality": reading.jpeg_quality or None, "blur_sigma": reading.blur_sigma or None,
                "camera_noise_sigma": reading.camera_noise_sigma or None}

    def plan(self, image: np.ndarray, **params: Any) -> Dict[str, Any]:
        """What restore(image, **params) would do, without restoring: the library's resolved plan as a dict (task,
        preset, output size, the reading, per layer the problem and sampler runs, bands, tiles, memory)."""
        with self._filter(self._array(image), params) as handle:
            return json.loads(_string_out(lambda *out: _lib().dc_filter_get_plan(handle, *out)))

    def restore(self, image: np.ndarray, progress: Optional[Callable[[float], Optional[bool]]] = None,
                on_start: Optional[Callable[[Job], None]] = None, **params: Any) -> np.ndarray:
        """Returns the restored image (same dtype and channels; the size the library gives, `scale` times larger for
        task="sr").

        progress(fraction) -> bool | None: called as network evaluations finish; returning False cancels.
        on_start(job): called before the work starts with a `Job` whose `cancel()` works from any thread.
        Besides the parameters (dreamclean.parameters()): mask, an (H, W) array of the image's size, non-zero where
        pixels are missing (task="inpaint"); blur_kernel, an odd square array (task="deblur", instead of blur_sigma);
        sr_taps, symmetric 1-D taps in high-resolution pixels (task="sr", instead of sr_kernel).
        """
        array = self._array(image)
        h, w, c = array.shape
        with self._filter(array, params) as handle:
            out_w, out_h = ctypes.c_size_t(), ctypes.c_size_t()
            _check(_lib().dc_filter_get_output_size(handle, w, h, ctypes.byref(out_w), ctypes.byref(out_h)))
            out = np.empty((out_h.value, out_w.value, c), dtype=array.dtype)
            _check(_lib().dc_filter_set_image(handle, b"output", out.ctypes.data, _FORMATS[array.dtype], out_w.value,
                                              out_h.value, c, 0, 0))
            raised: List[BaseException] = []

            def report(user: Any, fraction: float) -> bool:
                try:
                    return progress(fraction) is not False
                except BaseException as error:  # stops the job; raised again below, not replaced by CANCELLED
                    raised.append(error)
                    return False

            callback = _library.PROGRESS(report) if progress else _library.PROGRESS()
            _check(_lib().dc_filter_set_progress(handle, callback, None))
            if on_start:
                on_start(Job(handle))
            status = _lib().dc_filter_execute(handle)
            if raised:
                raise raised[0]
            _check(status)
        return out[:, :, 0] if np.asarray(image).ndim == 2 else out

    @contextlib.contextmanager
    def _filter(self, array: np.ndarray, params: Dict[str, Any]) -> Iterator[ctypes.c_void_p]:
        """A filter on this context with `params` set and `array` as its input; released afterwards."""
        handle = ctypes.c_void_p()
        _check(_lib().dc_filter_new(self._handle, ctypes.byref(handle)))
        try:
            params = dict(params)
            mask = params.pop("mask", None)
            for name in _KERNELS:
                if name in params:
                    kernel = np.ascontiguousarray(np.asarray(params.pop(name), dtype=np.float32).ravel())
                    pointer = kernel.ctypes.data_as(ctypes.POINTER(ctypes.c_float))
                    _check(_lib().dc_filter_set_kernel(handle, name.encode(), pointer, kernel.size))  # the library copies
            for name, value in params.items():
                self._set(handle, name, value)
            h, w, c = array.shape
            _check(_lib().dc_filter_set_image(handle, b"input", array.ctypes.data, _FORMATS[array.dtype], w, h, c,
                                              array.strides[1], array.strides[0]))
            if mask is not None:
                missing = np.ascontiguousarray(np.asarray(mask) != 0, dtype=np.uint8)
                if missing.ndim != 2:
                    raise ValueError(f"mask shape {np.asarray(mask).shape} is not (H, W)")
                _check(_lib().dc_filter_set_image(handle, b"mask", missing.ctypes.data, _FORMATS[np.dtype(np.uint8)],
                                                  missing.shape[1], missing.shape[0], 1, 0, 0))
            yield handle
        finally:
            _lib().dc_filter_release(handle)

    def _array(self, image: np.ndarray) -> np.ndarray:
        """`image` as an (H, W, C) array the library reads (C 1-4; uint8, uint16 or float32), or the reason not."""
        if not self._handle:
            raise _error(3, "the context is closed")
        array = np.asarray(image)
        if array.dtype not in _FORMATS:
            raise TypeError(f"dtype {array.dtype} is not uint8, uint16 or float32")
        if array.ndim == 2:
            array = array[:, :, None]
        if array.ndim != 3 or not 1 <= array.shape[2] <= 4:
            raise ValueError(f"shape {np.asarray(image).shape} is not (H, W) or (H, W, 1-4)")
        h, w, c = array.shape
        # The library reads rows of pixels of samples, each a positive stride apart and not overlapping; anything
        # else (broadcast stride-0, negative, transposed, interleaved sample strides) is copied first.
        row, pixel, sample = array.strides
        if not (sample == array.itemsize and pixel >= c * sample and (h == 1 or row >= w * pixel)):
            array = np.ascontiguousarray(array)
        return array

    @staticmethod
    def _set(handle: ctypes.c_void_p, name: str, value: Any) -> None:
        kind = _parameter(name)["type"]
        key = name.encode()
        if kind == "string":
            _check(_lib().dc_filter_set_string(handle, key, str(value).encode()))
        elif kind == "bool":
            _check(_lib().dc_filter_set_bool(handle, key, bool(value)))
        elif kind == "int":
            if isinstance(value, bool) or int(value) != value:
                raise _error(2, f"{name} needs an integer, not {value!r}")
            if not -2**63 <= int(value) < 2**63:  # ctypes would wrap it silently into the C int64_t
                raise _error(2, f"{name} = {value} is out of range (see dreamclean.parameters())")
            _check(_lib().dc_filter_set_int(handle, key, int(value)))
        else:
            _check(_lib().dc_filter_set_float(handle, key, float(value)))
