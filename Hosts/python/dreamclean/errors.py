# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The DreamClean authors
"""The exceptions: one base with the library's status, a subclass per kind of failure a caller handles apart."""
from typing import Dict, Type


class DreamCleanError(Exception):
    """A failed library call. `status` is the dc_status name without its prefix (e.g. "CANCELLED"), `code` its number,
    `message` the library's explanation."""

    def __init__(self, status: str, message: str, code: int = -1):
        super().__init__(f"{status}: {message}")
        self.status = status
        self.code = code
        self.message = message


class InvalidInputError(DreamCleanError, ValueError):
    """A bad argument, parameter or image (DC_ERROR_INVALID_ARGUMENT, DC_ERROR_UNSUPPORTED)."""


class InvalidOperationError(DreamCleanError):
    """A call at the wrong time: a closed context, a filter already executing (DC_ERROR_INVALID_OPERATION)."""


class OutOfMemoryError(DreamCleanError, MemoryError):
    """The request cannot fit max_memory_mb, or memory ran out (DC_ERROR_OUT_OF_MEMORY)."""


class CancelledError(DreamCleanError):
    """The restoration was cancelled (a progress callback returned False, or Job.cancel)."""


class ModelError(DreamCleanError):
    """The model cannot be read or is broken (DC_ERROR_MODEL, DC_ERROR_IO)."""


class LibraryNotFoundError(DreamCleanError, OSError):
    """libdreamclean.so.0 was not found; the message lists where it was looked for."""

    def __init__(self, message: str):
        super().__init__("LIBRARY_NOT_FOUND", message)


BY_STATUS: Dict[str, Type[DreamCleanError]] = {
    "INVALID_ARGUMENT": InvalidInputError, "UNSUPPORTED": InvalidInputError, "INVALID_OPERATION": InvalidOperationError,
    "OUT_OF_MEMORY": OutOfMemoryError, "CANCELLED": CancelledError, "MODEL": ModelError, "IO": ModelError,
}
