# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The DreamClean authors
#
#   make demo      build, then restore examples/images/noisy.png into restored.png with the default model
#   make deps      system packages a fresh Debian 12 lacks (idempotent)
#   make test      every test (what CI runs)
#   make bench     forward-pass speed and memory against PyTorch eager and torch.compile
#   make quality   PSNR/SSIM table on the development sets (QUALITY_ARGS="--per-set 68 --crop 256" for more)
#   make fixtures  regenerate Tests/Fixtures from the PyTorch references

SHELL := /bin/bash
PYTHON ?= python3
APT_PACKAGES := libdnnl-dev libvips-dev libpng-dev libfftw3-dev pkg-config
PY_PACKAGES := torch safetensors diffusers pillow numpy bm3d
QUALITY_ARGS ?=
BENCH_THREADS ?= 2

.PHONY: all demo build library check-exports check-c deps deps-python test bench quality fixtures train clean

all: build

build:
	swift build -c release

demo: build
	$(RELEASE)/dreamclean restore examples/images/noisy.png restored.png --task denoise --preset fast --seed 1
	@echo "wrote restored.png (from examples/images/noisy.png)"

deps:
	@$(PYTHON) -c "import numpy, PIL, scipy" 2>/dev/null || $(PYTHON) -m pip install -q numpy pillow scipy
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing $$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	else echo "system packages present"; fi

# PyTorch and friends: for the converters, fixtures, training and the benchmark's baselines; never for the library.
deps-python:
	@$(PYTHON) -c "import torch, safetensors, diffusers, PIL, numpy" 2>/dev/null || $(PYTHON) -m pip install -q $(PY_PACKAGES)

RELEASE := .build/release
SANITIZE := -fsanitize=address,undefined -fno-omit-frame-pointer

# libdreamclean.so.0 (the soname) beside the library SwiftPM builds.
library: build
	ln -sf libdreamclean.so $(RELEASE)/libdreamclean.so.0

# The C ABI exports dc_* and nothing else.
check-exports: library
	@extra=$$(nm -D --defined-only --extern-only $(RELEASE)/libdreamclean.so | awk '{print $$3}' | grep -v -e '^dc_' -e '^DREAMCLEAN_0$$'); \
	if [ -n "$$extra" ]; then echo "libdreamclean.so exports more than dc_*: $$extra"; exit 1; fi; \
	echo "exports: $$(nm -D --defined-only --extern-only $(RELEASE)/libdreamclean.so | grep -c ' dc_') dc_* symbols, nothing else"

# The C API from a C host, under AddressSanitizer and UndefinedBehaviorSanitizer.
check-c: library
	cc -std=c11 -Wall -Wextra -Werror -g $(SANITIZE) -IInclude Tests/c/test_api.c -L$(RELEASE) -ldreamclean \
		-Wl,-rpath,$(CURDIR)/$(RELEASE) -lpthread -o .build/test_api
	rm -rf .build/c-scratch && mkdir -p .build/c-scratch
	./.build/test_api Tests/Fixtures/adm-tiny .build/c-scratch

# The C checks and the quality smoke test (the real CLI and default model on two small crops) first, then the unit
# tests, XCTest only: Swift Testing would close the log with "0 tests", hiding XCTest's count.
test: check-exports check-c
	$(PYTHON) Models/quality.py --short --cli $(RELEASE)/dreamclean
	swift test --disable-swift-testing

bench: deps deps-python build
	BENCH_THREADS=$(BENCH_THREADS) $(PYTHON) Models/bench.py --swift-bench .build/release/dreamclean-bench

quality: deps-python build
	$(PYTHON) Models/quality.py --cli .build/release/dreamclean $(QUALITY_ARGS)

fixtures: deps-python
	$(PYTHON) Models/make_fixtures.py

train: deps-python
	nice -n 19 $(PYTHON) Models/training/train.py --minutes $${MINUTES:-60}

clean:
	rm -rf .build
