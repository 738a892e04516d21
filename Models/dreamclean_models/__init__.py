# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The DreamClean authors
"""PyTorch reference code for DreamClean's networks: used offline for conversion, fixtures and training, never by the library."""
