#!/bin/sh
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The DreamClean authors
#
# One version everywhere: the header's DC_VERSION_* macros (its source), what the Makefile installs in dreamclean.pc,
# `dreamclean --version`, `dreamclean info`, dc_version_string() and dc_abi_version() of the built library.
# usage: test_version.sh CLI LIBRARY MAKEFILE_VERSION
set -eu
cli=$1 library=$2 make_version=$3
macro() { awk -v name="DC_$1" '$1 == "#define" && $2 == name { print $3 }' Include/dreamclean.h; }
header="$(macro VERSION_MAJOR).$(macro VERSION_MINOR).$(macro VERSION_PATCH)"
case $header in *[!0-9.]*|.*|*..*|*.) echo "version: cannot read the header's DC_VERSION_* macros ($header)"; exit 1;; esac
library_version=$(python3 -c 'import ctypes, sys; lib = ctypes.CDLL(sys.argv[1]); lib.dc_version_string.restype = ctypes.c_char_p
print(lib.dc_version_string().decode(), lib.dc_abi_version())' "$library")
fail=0
check() {
    if [ "$2" != "$3" ]; then echo "version: $1 is '$2', the header says '$3'"; fail=1; fi
}
check "dreamclean --version" "$("$cli" --version)" "$header"
check "dreamclean info" "$("$cli" info | head -n 1)" "dreamclean $header"
check "dc_version_string()" "${library_version% *}" "$header"
check "dc_abi_version()" "${library_version#* }" "$(macro ABI_VERSION)"
check "the Makefile's VERSION" "$make_version" "$header"
[ $fail = 0 ] && echo "version: $header (ABI $(macro ABI_VERSION)) from the header, the CLI, the library and the Makefile"
exit $fail
