# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The DreamClean authors
#
# `make help` lists the targets (the "##" comments below). Only the deps* targets install packages; a target that
# needs one that is missing says which `make deps*` to run.

SHELL := /bin/bash
PREFIX ?= /usr/local
# The version's one source is the header's DC_VERSION_* macros (Swift reads them too; Tests/version/test_version.sh checks every surface).
VERSION := $(shell awk '/^\#define DC_VERSION_(MAJOR|MINOR|PATCH) / { v = v (v == "" ? "" : ".") $$3 } END { print v }' Include/dreamclean.h)
PYTHON ?= python3
APT_PACKAGES := libdnnl-dev libvips-dev libvips-tools libpng-dev libfftw3-dev libssl-dev pkg-config
# What the host tests add: GIMP's plug-in SDK and GIMP itself (the plug-in runs in gimp-console), GEGL's SDK and
# the gegl command (the GEGL operation's test), pyvips, wheel
# (make wheel builds with the installed setuptools, no download), and ray[data] for the Ray test.
TEST_APT_PACKAGES := libgimp2.0-dev gimp libgegl-dev gegl
TEST_PY_PACKAGES := pyvips wheel
PY_PACKAGES := torch safetensors diffusers transformers pillow numpy bm3d onnx onnxruntime openvino
QUALITY_ARGS ?=
BENCH_THREADS ?= 2

.PHONY: all help bench-memory fuzz-vips-harness demo install uninstall install-gimp install-gegl build library vips-module gimp-plugin gegl-module check-exports \
	check-c check-install check-python check-vips check-gimp check-gegl check-standalone check-cli check-load check-asan check-tsan check-version \
	check-schema check-docs check-convert check-wheel check-ray wheel bench-batch check fuzz deps deps-test deps-python require-python test bench quality fixtures train clean

all: build

help: ## this list
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## (.*)/  make \1\t\2/' | expand -t 22

build: ## the library, the CLI and the benchmark (release)
	swift build -c release

demo: build ## build, then restore examples/images/noisy.png into restored.png with the default model
	$(RELEASE)/dreamclean restore examples/images/noisy.png restored.png --task denoise --preset fast --seed 1
	@echo "wrote restored.png (from examples/images/noisy.png)"

deps: ## the system and Python packages a fresh Debian 12 lacks to build and run (idempotent)
	@$(PYTHON) -c "import numpy, PIL, scipy, pytest" 2>/dev/null || $(PYTHON) -m pip install -q numpy pillow scipy pytest
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing $$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	else echo "system packages present"; fi

deps-test: deps ## what the host tests add: GIMP and its plug-in SDK, pyvips, wheel, ray[data] (make test runs it)
	@$(PYTHON) -c "import pyvips, wheel" 2>/dev/null || $(PYTHON) -m pip install -q $(TEST_PY_PACKAGES)
	@$(PYTHON) -c "import ray.data" 2>/dev/null || $(PYTHON) -m pip install -q "ray[data]" || \
		echo "ray[data] could not be installed: the Ray test will say SKIPPED"
	@missing=$$(for p in $(TEST_APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing $$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing > /dev/null; \
	fi

# PyTorch and friends: for the converters, fixtures, training and the benchmark's baselines; never for the library.
deps-python: ## PyTorch and friends, for make bench, quality, fixtures and train
	@$(PYTHON) -c "import torch, safetensors, diffusers, transformers, PIL, numpy, bm3d, onnx, onnxruntime, openvino" 2>/dev/null || $(PYTHON) -m pip install -q $(PY_PACKAGES)

RELEASE := .build/release
SANITIZE := -fsanitize=address,undefined -fno-omit-frame-pointer

# libvips loads modules from LIBDIR/vips-modules-MAJOR.MINOR; with $$VIPSHOME set, from VIPSHOME/<last part of LIBDIR>/...
# (that is how the tests load a module that is not installed). Recursive variables: vips may not be installed yet.
VIPS_LIBDIR = $(shell pkg-config --variable=libdir vips)
VIPS_MODULES = vips-modules-$(shell pkg-config --modversion vips | cut -d. -f1,2)
VIPS_MODULEDIR = $(VIPS_LIBDIR)/$(VIPS_MODULES)
VIPS_TEST_HOME = $(CURDIR)/.build/vips-home
VIPS_MODULE_FLAGS = -std=gnu11 -Wall -Wextra -Werror -fPIC -shared -fvisibility=hidden -IInclude $$(pkg-config --cflags vips) \
	Hosts/vips/dreamclean_vips.c $$(pkg-config --libs vips)
# GTK 2's headers use GLib types that GLib has since deprecated.
GIMP_FLAGS = -std=gnu11 -Wall -Wextra -Werror -Wno-deprecated-declarations -IInclude $$(pkg-config --cflags gimpui-2.0 json-glib-1.0) \
	Hosts/gimp/dreamclean-gimp.c $$(pkg-config --libs gimpui-2.0 json-glib-1.0)
GIMP_PLUGIN_DIR = $(shell pkg-config --variable=gimplibdir gimp-2.0 2>/dev/null)/plug-ins/dreamclean-gimp

# What make bench, quality, fixtures and train need (make deps-python installs it).
require-python:
	@$(PYTHON) -c "import torch, safetensors, diffusers, PIL, numpy, bm3d" 2>/dev/null || \
		{ echo "missing Python packages: run 'make deps-python' first"; exit 1; }

# libdreamclean.so.0 (its soname) and the libdreamclean.so link, from the library SwiftPM builds as libDreamCleanSharedLibrary.so.
# Copied to a new file and renamed: a process that has the old library mapped keeps it intact.
library: build ## .build/release/libdreamclean.so.0 and its libdreamclean.so link
	cp $(RELEASE)/libDreamCleanSharedLibrary.so $(RELEASE)/libdreamclean.so.0.tmp && mv -f $(RELEASE)/libdreamclean.so.0.tmp $(RELEASE)/libdreamclean.so.0
	ln -sf libdreamclean.so.0 $(RELEASE)/libdreamclean.so

# The vips module against the library in the build folder, where the tests' VIPSHOME finds it.
vips-module: library
	mkdir -p $(VIPS_TEST_HOME)/$(notdir $(VIPS_LIBDIR))/$(VIPS_MODULES)
	cc $(VIPS_MODULE_FLAGS) -L$(RELEASE) -ldreamclean -Wl,-rpath,$(CURDIR)/$(RELEASE) \
		-o $(VIPS_TEST_HOME)/$(notdir $(VIPS_LIBDIR))/$(VIPS_MODULES)/dreamclean.so

# The GEGL operation, a GEGL module: GEGL_PATH=.build/gegl:$(GEGL_PLUGINDIR) reaches it and GEGL's own operations.
GEGL_FLAGS = -std=gnu11 -Wall -Wextra -Werror -fPIC -shared -fvisibility=hidden -IInclude $$(pkg-config --cflags gegl-0.4) \
	Hosts/gegl/dreamclean_gegl.c $$(pkg-config --libs gegl-0.4)
GEGL_PLUGINDIR = $(shell pkg-config --variable=pluginsdir gegl-0.4 2>/dev/null)

gegl-module: library ## .build/gegl/dreamclean-gegl.so, the GEGL operation dreamclean:restore (needs libgegl-dev)
	mkdir -p .build/gegl
	cc $(GEGL_FLAGS) -L$(RELEASE) -ldreamclean -Wl,-rpath,$(CURDIR)/$(RELEASE) -o .build/gegl/dreamclean-gegl.so

gimp-plugin: library ## .build/gimp/dreamclean-gimp (needs libgimp2.0-dev: make deps-test)
	mkdir -p .build/gimp
	cc $(GIMP_FLAGS) -L$(RELEASE) -ldreamclean -Wl,-rpath,$(CURDIR)/$(RELEASE) -o .build/gimp/dreamclean-gimp

install-gegl: install ## the GEGL operation into GEGL's module folder, where the gegl command and GIMP find it
	install -d $(GEGL_PLUGINDIR)
	cc $(GEGL_FLAGS) -L$(PREFIX)/lib -ldreamclean -Wl,-rpath,$(PREFIX)/lib -o $(GEGL_PLUGINDIR)/dreamclean-gegl.so
	@echo "installed the GEGL operation dreamclean:restore into $(GEGL_PLUGINDIR)"

install-gimp: install ## the GIMP 2.10 plug-in into GIMP's plug-in folder (needs libgimp2.0-dev)
	install -d $(GIMP_PLUGIN_DIR)
	cc $(GIMP_FLAGS) -L$(PREFIX)/lib -ldreamclean -Wl,-rpath,$(PREFIX)/lib -o $(GIMP_PLUGIN_DIR)/dreamclean-gimp
	@echo "installed the GIMP plug-in into $(GIMP_PLUGIN_DIR)"

INSTALLED := lib/libdreamclean.so.0 lib/libdreamclean.so include/dreamclean.h lib/pkgconfig/dreamclean.pc bin/dreamclean \
	share/dreamclean/models/default/config.json share/dreamclean/models/default/model.safetensors \
	share/dreamclean/models/default/MODEL_CARD.md

install: library ## PREFIX=/usr/local: library, header, dreamclean.pc, CLI, default model, the vips module (VIPS_MODULEDIR)
	install -d $(PREFIX)/lib/pkgconfig $(PREFIX)/include $(PREFIX)/bin $(PREFIX)/share/dreamclean/models/default
	install -m 755 -s $(RELEASE)/libdreamclean.so.0 $(PREFIX)/lib/libdreamclean.so.0
	ln -sf libdreamclean.so.0 $(PREFIX)/lib/libdreamclean.so
	install -m 644 Include/dreamclean.h $(PREFIX)/include/dreamclean.h
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' dreamclean.pc.in > $(PREFIX)/lib/pkgconfig/dreamclean.pc
	install -m 755 $(RELEASE)/dreamclean $(PREFIX)/bin/dreamclean
	install -m 644 Models/default/config.json Models/default/model.safetensors Models/default/MODEL_CARD.md \
		$(PREFIX)/share/dreamclean/models/default/
	install -d $(VIPS_MODULEDIR)
	cc $(VIPS_MODULE_FLAGS) -L$(PREFIX)/lib -ldreamclean -Wl,-rpath,$(PREFIX)/lib -o $(VIPS_MODULEDIR)/dreamclean.so
	@echo "installed under $(PREFIX), the vips module into $(VIPS_MODULEDIR)"
	@echo "the default model (its terms: $(PREFIX)/share/dreamclean/models/default/MODEL_CARD.md):"
	@$(PREFIX)/bin/dreamclean info --model $(PREFIX)/share/dreamclean/models/default | grep -E '^(model|licence|terms):' | sed 's/^/  /'

uninstall: ## removes what install put there
	rm -f $(addprefix $(PREFIX)/,$(INSTALLED)) $(VIPS_MODULEDIR)/dreamclean.so $(GIMP_PLUGIN_DIR)/dreamclean-gimp \
		$(GEGL_PLUGINDIR)/dreamclean-gegl.so
	rmdir $(GIMP_PLUGIN_DIR) 2>/dev/null || true
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
	./.build/test_api Tests/Fixtures/adm-tiny .build/c-scratch Tests/Fixtures/sd-tiny
	cc -std=gnu11 -Wall -Wextra -Werror -g -IInclude Tests/c/test_hostile.c -L$(RELEASE) -ldreamclean \
		-Wl,-rpath,$(CURDIR)/$(RELEASE) -lpthread -o .build/test_hostile
	./.build/test_hostile Tests/Fixtures/adm-tiny .build/c-scratch/hostile

# make install into a scratch prefix (the vips module under it, where VIPSHOME=prefix finds it): the C test and the
# libpng example build from pkg-config alone, and the installed CLI, C example and vips module find the installed
# default model.
INSTALL_TEST := $(CURDIR)/.build/install-test
# Every install location inside the scratch prefix, so that the test never touches what the system has installed.
INSTALL_TEST_VARS = PREFIX=$(INSTALL_TEST) VIPS_MODULEDIR=$(INSTALL_TEST)/$(notdir $(VIPS_LIBDIR))/$(VIPS_MODULES) \
	GIMP_PLUGIN_DIR=$(INSTALL_TEST)/gimp-plug-in GEGL_PLUGINDIR=$(INSTALL_TEST)/gegl
check-install:
	rm -rf $(INSTALL_TEST) .build/c-scratch && mkdir -p .build/c-scratch
	$(MAKE) --no-print-directory install-gegl $(INSTALL_TEST_VARS) > /dev/null
	export PKG_CONFIG_PATH=$(INSTALL_TEST)/lib/pkgconfig; \
	cc -std=c11 -Wall -Werror Tests/c/test_api.c $$(pkg-config --cflags --libs dreamclean) -lpthread -o .build/test_api_installed && \
	cc -std=c11 -Wall -Wextra -Werror examples/c/restore_png.c $$(pkg-config --cflags --libs dreamclean libpng) -o .build/restore_png
	./.build/test_api_installed Tests/Fixtures/adm-tiny .build/c-scratch
	env -u DREAMCLEAN_MODEL .build/install-test/bin/dreamclean info | grep -q "folder: $(INSTALL_TEST)/share/dreamclean/models/default"
	vips crop examples/images/noisy.png .build/c-scratch/small.png 40 40 48 40
	env -u DREAMCLEAN_MODEL ./.build/restore_png .build/c-scratch/small.png .build/c-scratch/c.png task=denoise:preset=fast:seed=1
	env -u DREAMCLEAN_MODEL VIPSHOME=$(INSTALL_TEST) vips dreamclean .build/c-scratch/small.png .build/c-scratch/vips.png \
		--task denoise --preset fast --seed 1
	vips subtract .build/c-scratch/c.png .build/c-scratch/vips.png .build/c-scratch/diff.v
	vips abs .build/c-scratch/diff.v .build/c-scratch/absdiff.v && vips max .build/c-scratch/absdiff.v | awk '{ exit !($$1 == 0) }'
	env -u DREAMCLEAN_MODEL GEGL_PATH=$(INSTALL_TEST)/gegl:$(GEGL_PLUGINDIR) gegl .build/c-scratch/small.png \
		-o .build/c-scratch/gegl.png -- dreamclean:restore task=denoise preset=fast seed=1 2> /dev/null
	vips colourspace .build/c-scratch/gegl.png .build/c-scratch/gegl8.png srgb && vips subtract .build/c-scratch/c.png \
		.build/c-scratch/gegl8.png .build/c-scratch/diff.v
	vips abs .build/c-scratch/diff.v .build/c-scratch/absdiff.v && vips max .build/c-scratch/absdiff.v | awk '{ exit !($$1 == 0) }'
	test "$$(vipsheader -f width .build/c-scratch/c.png)" = 48
	rm -rf .build/install-venv Hosts/python/build Hosts/python/*.egg-info && $(PYTHON) -m venv --system-site-packages .build/install-venv
	.build/install-venv/bin/python -m pip install -q --no-deps --no-build-isolation --no-index ./Hosts/python
	rm -rf Hosts/python/build Hosts/python/*.egg-info
	cd /tmp && env -u DREAMCLEAN_LIBRARY -u DREAMCLEAN_MODEL PKG_CONFIG_PATH=$(INSTALL_TEST)/lib/pkgconfig \
		$(CURDIR)/.build/install-venv/bin/python -c "import dreamclean, numpy; dreamclean.Context().restore(numpy.zeros((8, 8, 3), numpy.uint8)); \
		assert dreamclean._library.library()._name.startswith('$(INSTALL_TEST)'), dreamclean._library.library()._name"
	$(MAKE) --no-print-directory uninstall $(INSTALL_TEST_VARS) > /dev/null
	test -z "$$(find $(INSTALL_TEST) -type f)"
	@echo "install: C test and libpng example built from pkg-config; CLI, example, vips module and GEGL operation used the installed model" \
		"and agree bit for bit; pip install ./Hosts/python found the installed library through pkg-config; uninstall" \
		"removed every file"

# Nothing links the Swift toolchain's runtime (it is linked in statically), and, where mount namespaces are allowed,
# the library and the CLI run with /opt/swift hidden, as on a machine without a toolchain.
check-standalone: library
	! ldd $(RELEASE)/libdreamclean.so.0 $(RELEASE)/dreamclean | grep -i swift
	if unshare -m true 2>/dev/null; then \
		unshare -m sh -c 'mount -t tmpfs none /opt/swift && \
			$(PYTHON) -c "import ctypes; ctypes.CDLL(\"$(RELEASE)/libdreamclean.so.0\").dc_version_string" && \
			$(RELEASE)/dreamclean info > /dev/null' && echo "standalone: library and CLI run without /opt/swift"; \
	else echo "standalone: ldd only (no mount namespace here)"; fi

# The C checks and the quality smoke test (the real CLI and default model on two small crops) first, then the unit
# tests, XCTest only: Swift Testing would close the log with "0 tests", hiding XCTest's count.
# The Python module's tests (plain asserts: pytest's assertion rewriting trips a CPython 3.11.7 AST check here).
check-python: library
	DREAMCLEAN_LIBRARY=$(CURDIR)/$(RELEASE)/libdreamclean.so.0 $(PYTHON) -m pytest Hosts/python -q -p no:cacheprovider --assert=plain

# The Python package as a wheel with the library (stripped) and the default model inside: staged in .build/wheel/src,
# built with the installed setuptools and wheel (no download), written to .build/wheel/dist.
WHEEL_SRC := .build/wheel/src
wheel: library ## .build/wheel/dist/dreamclean-*.whl: the Python package with the library and the default model
	rm -rf .build/wheel && mkdir -p $(WHEEL_SRC)/dreamclean/lib $(WHEEL_SRC)/dreamclean/share/dreamclean/models/default
	cp Hosts/python/pyproject.toml Hosts/python/setup.py Hosts/python/README.md Include/dreamclean.h $(WHEEL_SRC)/
	cp Hosts/python/dreamclean/*.py $(WHEEL_SRC)/dreamclean/
	install -m 755 -s $(RELEASE)/libdreamclean.so.0 $(WHEEL_SRC)/dreamclean/lib/libdreamclean.so.0
	cp Models/default/config.json Models/default/model.safetensors Models/default/MODEL_CARD.md \
		$(WHEEL_SRC)/dreamclean/share/dreamclean/models/default/
	$(PYTHON) -m pip wheel -q --no-build-isolation --no-deps $(WHEEL_SRC) -w .build/wheel/dist
	@ls .build/wheel/dist/*.whl

# The wheel installed into a fresh virtual environment (system site packages for numpy only), run outside the
# checkout with no DREAMCLEAN_* variables: it must find its own library and model.
check-wheel: wheel
	sh Hosts/python/test_wheel.sh .build/wheel/dist .build/wheel/venv

# dreamclean.ray on a local 2-CPU Ray cluster on loopback, in its own network namespace (SKIPPED without ray[data]).
check-ray: library
	sh Hosts/python/test_ray.sh $(RELEASE)/libdreamclean.so.0

# The vips operation through the vips command and pyvips, libvips loading the module from VIPSHOME.
check-vips: vips-module
	VIPSHOME=$(VIPS_TEST_HOME) DREAMCLEAN_LIBRARY=$(CURDIR)/$(RELEASE)/libdreamclean.so.0 \
		$(PYTHON) -m pytest Hosts/vips -q -p no:cacheprovider --assert=plain

# Load: 1, 2 and 8 threads through one shared context and through one context each, several rounds; outputs equal
# the single-threaded ones, resident memory flat after round 1, no leak (LeakSanitizer at exit).
check-load: library
	cc -std=gnu11 -Wall -Wextra -Werror -g $(SANITIZE) -IInclude Tests/c/test_load.c -L$(RELEASE) -ldreamclean \
		-Wl,-rpath,$(CURDIR)/$(RELEASE) -lpthread -o .build/test_load
	ASAN_OPTIONS=quarantine_size_mb=0 ./.build/test_load Tests/Fixtures/adm-tiny 3  # no quarantine: it would show as growth

# The library itself built with a sanitizer (DREAMCLEAN_CHECKED=1: no --no-undefined), in .build-asan or
# .build-tsan; hosts link the toolchain's sanitizer runtime (and the libdispatch its interceptors name).
SWIFT_CLANG = $(dir $(shell readlink -f $$(command -v swift)))clang
SANITIZER_HOST_LIBS = -L/opt/swift/usr/lib/swift/linux -ldispatch -lBlocksRuntime -Wl,-rpath,/opt/swift/usr/lib/swift/linux -lpthread
sanitized-library-%:
	DREAMCLEAN_CHECKED=1 swift build -c release --scratch-path .build-$* --product DreamCleanSharedLibrary \
		-Xswiftc -sanitize=$(subst asan,address,$(subst tsan,thread,$*)) -Xcc -fsanitize=$(subst asan,address,$(subst tsan,thread,$*))
	cp .build-$*/release/libDreamCleanSharedLibrary.so .build-$*/release/libdreamclean.so.0
	ln -sf libdreamclean.so.0 .build-$*/release/libdreamclean.so

# The C and Python tests against the AddressSanitizer build of the library.
check-asan: sanitized-library-asan
	$(SWIFT_CLANG) -std=c11 -Wall -Wextra -Werror -g -fsanitize=address,undefined -IInclude Tests/c/test_api.c \
		-L.build-asan/release -ldreamclean -Wl,-rpath,$(CURDIR)/.build-asan/release $(SANITIZER_HOST_LIBS) -o .build/test_api_asan
	rm -rf .build/c-scratch && mkdir -p .build/c-scratch && ./.build/test_api_asan Tests/Fixtures/adm-tiny .build/c-scratch Tests/Fixtures/sd-tiny
	$(SWIFT_CLANG) -std=gnu11 -Wall -Wextra -Werror -g -fsanitize=address,undefined -IInclude Tests/c/test_hostile.c \
		-L.build-asan/release -ldreamclean -Wl,-rpath,$(CURDIR)/.build-asan/release $(SANITIZER_HOST_LIBS) -o .build/test_hostile_asan
	./.build/test_hostile_asan Tests/Fixtures/adm-tiny .build/c-scratch/hostile
	LD_PRELOAD=$$($(SWIFT_CLANG) -print-file-name=libclang_rt.asan-x86_64.so) ASAN_OPTIONS=detect_leaks=0 \
		DREAMCLEAN_LIBRARY=$(CURDIR)/.build-asan/release/libdreamclean.so.0 \
		$(PYTHON) -m pytest Hosts/python -q -p no:cacheprovider --assert=plain

# The load test against the ThreadSanitizer build, one compute thread per context (libgomp is not instrumented, so
# its thread team's barriers would read as races): what is checked is the library's own locking between host threads.
check-tsan: sanitized-library-tsan
	$(SWIFT_CLANG) -std=gnu11 -Wall -Wextra -Werror -g -fsanitize=thread -IInclude Tests/c/test_load.c \
		-L.build-tsan/release -ldreamclean -Wl,-rpath,$(CURDIR)/.build-tsan/release $(SANITIZER_HOST_LIBS) -o .build/test_load_tsan
	TSAN_OPTIONS="halt_on_error=1 exitcode=66" ./.build/test_load_tsan Tests/Fixtures/adm-tiny 2 1
	$(SWIFT_CLANG) -std=gnu11 -Wall -Wextra -Werror -g -fsanitize=thread -IInclude Tests/c/test_hostile.c \
		-L.build-tsan/release -ldreamclean -Wl,-rpath,$(CURDIR)/.build-tsan/release $(SANITIZER_HOST_LIBS) -o .build/test_hostile_tsan
	rm -rf .build/c-scratch/hostile-tsan && TSAN_OPTIONS="halt_on_error=1 exitcode=66" \
		./.build/test_hostile_tsan Tests/Fixtures/adm-tiny .build/c-scratch/hostile-tsan

# One version: the header's, in the CLI, the library and the Makefile.
check-version: library
	sh Tests/version/test_version.sh $(RELEASE)/dreamclean $(RELEASE)/libdreamclean.so.0 $(VERSION)

# The Stable Diffusion converter on tiny pipelines built with diffusers (skipped, saying so, without PyTorch, diffusers
# and transformers: make deps-python).
check-convert:
	$(PYTHON) -m pytest Tests/convert -q -rs -p no:cacheprovider --assert=plain

# Every surface against the parameter schema: the C table and its JSON, the CLI's flags, help and ranges, the
# Python keywords, the vips operation's arguments.
check-schema: vips-module gegl-module
	VIPSHOME=$(VIPS_TEST_HOME) GEGL_PATH=$(CURDIR)/.build/gegl:$(GEGL_PLUGINDIR) DREAMCLEAN_LIBRARY=$(CURDIR)/$(RELEASE)/libdreamclean.so.0 DREAMCLEAN_CLI=$(CURDIR)/$(RELEASE)/dreamclean \
		$(PYTHON) -m pytest Tests/schema -q -p no:cacheprovider --assert=plain

# The CLI interrupted or killed mid-run leaves OUT as it was or complete.
check-cli: build
	sh Tests/cli/test_interrupt.sh $(RELEASE)/dreamclean .build/cli-test
	sh Tests/cli/test_hostile.sh $(RELEASE)/dreamclean .build/cli-hostile
	sh Tests/cli/test_batch.sh $(RELEASE)/dreamclean .build/cli-batch
	DREAMCLEAN_CLI=$(CURDIR)/$(RELEASE)/dreamclean $(PYTHON) -m pytest Tests/cli -q -p no:cacheprovider --assert=plain

# The GEGL operation through the gegl command and a C host (GEGL_PATH set by the test).
check-gegl: gegl-module
	cc -std=gnu11 -Wall -Wextra -Werror -g $$(pkg-config --cflags gegl-0.4) Hosts/gegl/test_gegl_host.c \
		$$(pkg-config --libs gegl-0.4) -o .build/gegl/test_gegl_host
	sh Hosts/gegl/test_gegl.sh .build/gegl .build/gegl/test_gegl_host .build/gegl-test

# The GIMP plug-in builds against libgimp2.0-dev and runs in gimp-console on a scratch GIMP profile.
check-gimp: gimp-plugin
	sh Hosts/gimp/test_gimp.sh .build/gimp/dreamclean-gimp .build/gimp-test

CHECKS := check-exports check-standalone check-version check-docs check-c check-load check-install check-python check-vips \
	check-schema check-wheel check-ray check-gimp check-gegl check-cli check-convert check-asan check-tsan
test: deps-test $(CHECKS) ## every test (what CI runs; the README's second command); installs the host tests' packages
	$(PYTHON) Models/quality.py --short --cli $(RELEASE)/dreamclean
	swift test --disable-swift-testing
	@# The AVX2 route (tap-GEMM stride-1 convolutions, no bf16) on any CPU: oneDNN told to stop at AVX2.
	ONEDNN_MAX_CPU_ISA=AVX2 swift test --disable-swift-testing --skip-build --filter 'BackendParityTests|UNetParityTests|RestorerTests'

check: ## the Swift unit tests only (schema, golden preset table, numerics; 1.5 minutes from scratch): for everyday work
	swift test --disable-swift-testing

# Every path the docs name exists.
check-docs:
	$(PYTHON) Tests/docs/check_paths.py README.md docs/*.md Models/default/MODEL_CARD.md Hosts/*/*.c

# libFuzzer harnesses (Fuzz/), built with AddressSanitizer (DREAMCLEAN_CHECKED=1), each run for FUZZ_SECONDS on its
# seed corpus, FUZZ_PARALLEL at a time.
FUZZ_SECONDS ?= 60
FUZZ_PARALLEL ?= 1
# model: a mutated small model (config and weights) loaded and run on one tiny restore; image: the CLI's decoding;
# vips: the vips operation's arguments (a C harness over the AddressSanitizer build of the library).
FUZZERS := safetensors config options capi model image vips
FUZZ_BUILD := DREAMCLEAN_CHECKED=1 swift build -c release --scratch-path .build-fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld
fuzz: $(if $(filter vips,$(FUZZERS)),fuzz-vips-harness) ## libFuzzer harnesses, FUZZ_SECONDS each (Fuzz/)
	for f in $(filter-out vips,$(FUZZERS)); do $(FUZZ_BUILD) --product fuzz-$$f || exit 1; done
	Fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_PARALLEL) .build-fuzz/release $(FUZZERS)

fuzz-vips-harness: sanitized-library-asan
	mkdir -p .build-fuzz/release
	$(SWIFT_CLANG) -std=gnu11 -g -O1 -fsanitize=fuzzer,address -IInclude $$(pkg-config --cflags vips) Fuzz/Vips/fuzz_vips.c \
		Hosts/vips/dreamclean_vips.c -L.build-asan/release -ldreamclean -Wl,-rpath,$(CURDIR)/.build-asan/release \
		$$(pkg-config --libs vips gmodule-2.0) $(SANITIZER_HOST_LIBS) -o .build-fuzz/release/fuzz-vips

bench: require-python build ## forward-pass speed against PyTorch; whole 12 MP restores; restores beside a busy process; Stable Diffusion rows
	cc -O2 -mavx2 -mfma -fopenmp Tests/bench/fma_peak.c -o .build/fma_peak
	BENCH_THREADS=$(BENCH_THREADS) $(PYTHON) Models/bench.py --swift-bench .build/release/dreamclean-bench
	BENCH_THREADS=$(BENCH_THREADS) $(PYTHON) Models/bench.py --swift-bench .build/release/dreamclean-bench --models default --size 512
	$(PYTHON) Models/bench_restore.py --cli $(RELEASE)/dreamclean
	BENCH_THREADS=$(BENCH_THREADS) $(PYTHON) Models/bench_latent.py --swift-bench .build/release/dreamclean-bench --cli $(RELEASE)/dreamclean

# With ray[data] and network namespaces, also dreamclean.ray on a local 2-CPU cluster on loopback (as check-ray).
bench-batch: library ## 100 small photos: separate CLI calls, the batch mode (--jobs 1 and 2), Ray Data
	if $(PYTHON) -c "import ray.data" 2>/dev/null && unshare --net true 2>/dev/null; then \
		DREAMCLEAN_LIBRARY=$(CURDIR)/$(RELEASE)/libdreamclean.so.0 PYTHONPATH=$(CURDIR)/Hosts/python RAY_ADDRESS=127.0.0.1:6391 \
		unshare --net sh -c 'ip link set lo up && ray start --head --node-ip-address=127.0.0.1 --port=6391 --num-cpus=2 \
			--include-dashboard=false --disable-usage-stats > /dev/null && \
			$(PYTHON) Models/bench_batch.py --cli $(RELEASE)/dreamclean --ray; status=$$?; ray stop --force > /dev/null; exit $$status'; \
	else $(PYTHON) Models/bench_batch.py --cli $(RELEASE)/dreamclean; fi

# Peak memory of one large restoration under max_memory_mb (docs/reliability.md): BENCH_SIZE x BENCH_SIZE RGB, the
# default model, one DDIM step each way without VPS (the memory of a restoration does not depend on the step count).
# The image: BENCH_PHOTO (a real noisy photo, mirrored out to the size by libvips so that it has no edges of its own
# at the tiles' and bands' borders), or the synthetic one with BENCH_PHOTO= ; the seam score compares the output's
# with the input's.
BENCH_SIZE ?= 8192
BENCH_MEMORY_MB ?= 2048
BENCH_OPTIONS ?= task=blind:steps=1:vps_iters=0:strength=0.05:seed=1
BENCH_PHOTO ?= examples/images/noisy.png
bench-memory: library ## peak memory of a BENCH_SIZE x BENCH_SIZE restoration under BENCH_MEMORY_MB, and its seams
	cc -std=gnu11 -O2 -Wall -Wextra -Werror -IInclude Tests/bench/bench_memory.c -L$(RELEASE) -ldreamclean \
		-Wl,-rpath,$(CURDIR)/$(RELEASE) -lm -o .build/bench_memory
	$(if $(BENCH_PHOTO),vips embed $(BENCH_PHOTO) .build/bench-photo.ppm 0 0 $(BENCH_SIZE) $(BENCH_SIZE) --extend mirror)
	./.build/bench_memory $${MODEL:-Models/default} $(BENCH_SIZE) $(BENCH_MEMORY_MB) "$(BENCH_OPTIONS)" $(or $(BENCH_OUT),-) \
		$(if $(BENCH_PHOTO),.build/bench-photo.ppm)

quality: require-python build ## PSNR/SSIM on the development sets (QUALITY_ARGS="--per-set 68 --crop 256" for more)
	$(PYTHON) Models/quality.py --cli .build/release/dreamclean $(QUALITY_ARGS)

fixtures: require-python ## regenerate Tests/Fixtures from the PyTorch references
	$(PYTHON) Models/make_fixtures.py

train: require-python ## train the default model (MINUTES=60)
	nice -n 19 $(PYTHON) Models/training/train.py --minutes $${MINUTES:-60}

clean: ## every build folder, and the demo's output
	rm -rf .build .build-asan .build-tsan .build-fuzz restored.png
