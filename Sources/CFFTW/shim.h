// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors
// FFTW 3 in single precision (Debian's libfftw3-dev), for the deblurring operator's Fourier pseudo-inverse.
#include <fftw3.h>
