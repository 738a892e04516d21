# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The DreamClean authors
#
#   make demo      build, then restore examples/images/noisy.png into restored.png with the default model
#   make install   PREFIX=/usr/local: library, header, dreamclean.pc, CLI, default model; make uninstall removes them
#   make deps      system packages a fresh Debian 12 lacks (idempotent)
#   make test      every test (what CI runs)
#   make bench     forward-pass speed and memory against PyTorch eager and torch.compile
#   make quality   PSNR/SSIM table on the development sets (QUALITY_ARGS="--per-set 68 --crop 256" for more)
#   make fixtures  regenerate Tests/Fixtures from the PyTorch references

SHELL := /bin/bash
PREFIX ?= /usr/local
VERSION := 0.1.0
PYTHON ?= python3
APT_PACKAGES := libdnnl-dev libvips-dev libpng-dev libfftw3-dev pkg-config
PY_PACKAGES := torch safetensors diffusers pillow numpy bm3d
QUALITY_ARGS ?=
BENCH_THREADS ?= 2

.PHONY: all demo install uninstall build library check-exports check-c check-install check-python deps deps-python test bench quality fixtures train clean

all: build

build:
	swift build -c release

demo: build
	$(RELEASE)/dreamclean restore examples/images/noisy.png restored.png --task denoise --preset fast --seed 1
	@echo "wrote restored.png (from examples/images/noisy.png)"

deps:
	@$(PYTHON) -c "import numpy, PIL, scipy, pytest" 2>/dev/null || $(PYTHON) -m pip install -q numpy pillow scipy pytest
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

# libdreamclean.so.0 (its soname) and the libdreamclean.so link, from the library SwiftPM builds as libDreamCleanC.so.
library: build
	cp $(RELEASE)/libDreamCleanC.so $(RELEASE)/libdreamclean.so.0
	ln -sf libdreamclean.so.0 $(RELEASE)/libdreamclean.so

INSTALLED := lib/libdreamclean.so.0 lib/libdreamclean.so include/dreamclean.h lib/pkgconfig/dreamclean.pc bin/dreamclean \
	share/dreamclean/models/default/config.json share/dreamclean/models/default/model.safetensors

install: library
	install -d $(PREFIX)/lib/pkgconfig $(PREFIX)/include $(PREFIX)/bin $(PREFIX)/share/dreamclean/models/default
	install -m 755 $(RELEASE)/libdreamclean.so.0 $(PREFIX)/lib/libdreamclean.so.0
	ln -sf libdreamclean.so.0 $(PREFIX)/lib/libdreamclean.so
	install -m 644 Include/dreamclean.h $(PREFIX)/include/dreamclean.h
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' dreamclean.pc.in > $(PREFIX)/lib/pkgconfig/dreamclean.pc
	install -m 755 $(RELEASE)/dreamclean $(PREFIX)/bin/dreamclean
	install -m 644 Models/default/config.json Models/default/model.safetensors $(PREFIX)/share/dreamclean/models/default/
	@echo "installed under $(PREFIX)"

uninstall:
	rm -f $(addprefix $(PREFIX)/,$(INSTALLED))
	-rmdir $(PREFIX)/share/dreamclean/models/default $(PREFIX)/share/dreamclean/models $(PREFIX)/share/dreamclean 2>/dev/null

# The C ABI exports dc_* and nothing else.
check-exports: library
	@extra=$$(nm -D --defined-only --extern-only $(RELEASE)/libdreamclean.so.0 | awk '{print $$3}' | grep -v -e '^dc_' -e '^DREAMCLEAN_0$$'); \
	if [ -n "$$extra" ]; then echo "libdreamclean.so exports more than dc_*: $$extra"; exit 1; fi; \
	echo "exports: $$(nm -D --defined-only --extern-only $(RELEASE)/libdreamclean.so.0 | grep -c ' dc_') dc_* symbols, nothing else"

# The C API from a C host, under AddressSanitizer and UndefinedBehaviorSanitizer.
check-c: library
	cc -std=c11 -Wall -Wextra -Werror -g $(SANITIZE) -IInclude Tests/c/test_api.c -L$(RELEASE) -ldreamclean \
		-Wl,-rpath,$(CURDIR)/$(RELEASE) -lpthread -o .build/test_api
	rm -rf .build/c-scratch && mkdir -p .build/c-scratch
	./.build/test_api Tests/Fixtures/adm-tiny .build/c-scratch

# make install into a scratch prefix: the C test builds from pkg-config alone, and the installed CLI finds the
# installed default model.
check-install:
	rm -rf .build/install-test
	$(MAKE) --no-print-directory install PREFIX=$(CURDIR)/.build/install-test > /dev/null
	cc -std=c11 -Wall -Werror Tests/c/test_api.c $$(PKG_CONFIG_PATH=.build/install-test/lib/pkgconfig pkg-config --cflags --libs dreamclean) \
		-lpthread -o .build/test_api_installed
	rm -rf .build/c-scratch && mkdir -p .build/c-scratch && ./.build/test_api_installed Tests/Fixtures/adm-tiny .build/c-scratch
	env -u DREAMCLEAN_MODEL .build/install-test/bin/dreamclean info | grep -q "model: $(CURDIR)/.build/install-test/share/dreamclean/models/default"
	$(MAKE) --no-print-directory uninstall PREFIX=$(CURDIR)/.build/install-test > /dev/null
	test -z "$$(find .build/install-test -type f)"
	@echo "install: C test built from pkg-config, CLI found the installed model, uninstall removed every file"

# The C checks and the quality smoke test (the real CLI and default model on two small crops) first, then the unit
# tests, XCTest only: Swift Testing would close the log with "0 tests", hiding XCTest's count.
# The Python module's tests (plain asserts: pytest's assertion rewriting trips a CPython 3.11.7 AST check here).
check-python: library
	DREAMCLEAN_LIBRARY=$(CURDIR)/$(RELEASE)/libdreamclean.so.0 $(PYTHON) -m pytest examples/python -q -p no:cacheprovider --assert=plain

test: check-exports check-c check-install check-python
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
