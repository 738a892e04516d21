# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The DreamClean authors
"""Every surface shows the one parameter schema (Sources/DreamClean/Schema) the same way: dc_param_info against
dc_params_json field by field; the CLI's flags and help; the CLI accepting each range's ends and refusing just
outside them (exit 64, naming the parameter); the Python module's keywords; the vips operation's arguments; the GEGL operation's properties. The
Swift side (RestoreOptions against the schema) is Tests/DreamCleanTests/SchemaTests.swift.

Needs DREAMCLEAN_LIBRARY, DREAMCLEAN_CLI and, for the vips and GEGL checks, VIPSHOME and GEGL_PATH (make check-schema
sets them)."""
import ctypes
import json
import os
import shutil
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
sys.path.insert(0, os.path.join(ROOT, "Hosts", "python"))
import dreamclean  # noqa: E402

CLI = os.environ.get("DREAMCLEAN_CLI", os.path.join(ROOT, ".build", "release", "dreamclean"))
TINY_MODEL = os.path.join(ROOT, "Tests", "Fixtures", "adm-tiny")
IMAGE = os.path.join(ROOT, "examples", "images", "noisy.png")
SCHEMA = dreamclean.parameters()
TYPES = {1: "int", 2: "float", 3: "bool", 4: "string"}


class ParamDesc(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_size_t), ("name", ctypes.c_char_p), ("type", ctypes.c_int),
                ("description", ctypes.c_char_p), ("minimum", ctypes.c_double), ("maximum", ctypes.c_double),
                ("default_value", ctypes.c_double), ("default_string", ctypes.c_char_p), ("choices", ctypes.c_char_p)]


def flag(name):
    return "--" + name.replace("_", "-")


def test_param_info_agrees_with_the_json():
    lib = dreamclean._library.library()
    lib.dc_param_count.restype = ctypes.c_int
    lib.dc_param_info.argtypes = [ctypes.c_int, ctypes.POINTER(ParamDesc)]
    assert lib.dc_param_count() == len(SCHEMA)
    for index, entry in enumerate(SCHEMA):
        info = ParamDesc(struct_size=ctypes.sizeof(ParamDesc))
        assert lib.dc_param_info(index, ctypes.byref(info)) == 0
        assert info.name.decode() == entry["name"]
        assert TYPES[info.type] == entry["type"], entry["name"]
        assert info.description.decode() == entry["description"]
        assert entry["description"].startswith(entry["help"])
        if entry["type"] == "string":
            assert info.choices.decode().split(",") == entry["choices"]
            assert info.default_string.decode() == entry["default"]
        elif entry["type"] == "bool":
            assert info.default_value == float(entry["default"])
        else:
            assert (info.minimum, info.maximum, info.default_value) == (entry["minimum"], entry["maximum"], entry["default"])
            assert entry["minimum"] <= entry["default"] <= entry["maximum"], entry["name"]
        if "constraint" in entry:
            assert entry["constraint"] in entry["description"]


def test_cli_help_lists_every_parameter():
    text = subprocess.run([CLI, "restore", "--help"], capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())  # ArgumentParser wraps lines
    for entry in SCHEMA:
        assert flag(entry["name"]) in flat, entry["name"]
        assert " ".join(entry["description"].split()) in flat, entry["name"]


def plan(*arguments):
    return subprocess.run([CLI, "plan", IMAGE, "--model", TINY_MODEL, *arguments], capture_output=True, text=True)


def ends(entry):
    """(allowed values, refused values) as text: the range's ends and just outside, or the choices and a wrong one."""
    if entry["type"] == "string":
        return entry["choices"], ["nonsense"]
    if entry["type"] == "bool":
        return ["true", "false"], ["maybe"]
    low, high, unset = entry["minimum"], entry["maximum"], entry.get("unset")
    step = 1 if entry["type"] == "int" else 1e-3
    refused = [v for v in (low - step, high + step) if v != unset] + ([low] if entry["exclusive_minimum"] and low != unset else [])
    allowed = [high] + ([low] if not entry["exclusive_minimum"] else [low + step])
    text = (lambda v: str(int(v))) if entry["type"] == "int" else repr
    return [text(v) for v in allowed], [text(v) for v in refused]


@pytest.mark.parametrize("entry", SCHEMA, ids=[e["name"] for e in SCHEMA])
def test_cli_takes_the_schema_ranges(entry):
    allowed, refused = ends(entry)
    # tile_overlap's constraint (less than tile_size / 2) holds with the largest tiles.
    extra = ["--tile-size", "4096"] if entry["name"] == "tile_overlap" else []
    extra += ["--tile-overlap", "0"] if entry["name"] == "tile_size" else []
    for value in allowed:
        result = plan(*extra, f"{flag(entry['name'])}={value}", "--json")
        assert result.returncode == 0, (entry["name"], value, result.stderr)
        json.loads(result.stdout)
    for value in refused:
        given = [f"{flag(entry['name'])}={value}"] if entry["type"] == "bool" else [flag(entry["name"]), value]
        result = plan(*extra, *given)
        assert result.returncode == 64, (entry["name"], value, result.returncode, result.stderr)
        assert entry["name"] in result.stderr, result.stderr


def test_python_keywords_are_the_schema():
    with dreamclean.Context(TINY_MODEL) as context:
        image = __import__("numpy").zeros((8, 8, 3), dtype="uint8")
        for entry in SCHEMA:
            allowed, refused = ends(entry)
            if entry["type"] in ("int", "float"):
                value = float(refused[-1]) if entry["type"] == "float" else int(refused[-1])
                with pytest.raises(dreamclean.DreamCleanError, match=entry["name"]):
                    context.plan(image, **{entry["name"]: value})


@pytest.mark.skipif(not os.environ.get("VIPSHOME") or not shutil.which("vips"), reason="no vips module (VIPSHOME)")
def test_vips_arguments_are_the_schema():
    """Each parameter an optional argument of the operation with its description as the blurb, read through pyvips:
    the vips command's usage text stops at 4 KiB, before the last arguments. The command still lists the first."""
    pyvips = pytest.importorskip("pyvips")
    details = pyvips.Introspect.get("dreamclean").details
    for entry in SCHEMA:
        assert entry["name"] in details, entry["name"]
        assert " ".join(entry["description"].split()) == " ".join(details[entry["name"]]["blurb"].split()), entry["name"]
    usage = subprocess.run(["vips", "dreamclean"], capture_output=True, text=True).stdout
    assert any(line.strip().startswith(SCHEMA[0]["name"].replace("_", "-") + " ") for line in usage.splitlines()), usage


@pytest.mark.skipif(not os.environ.get("GEGL_PATH") or not shutil.which("gegl"), reason="no GEGL module (GEGL_PATH)")
def test_gegl_properties_are_the_schema():
    """gegl --info: every parameter a property of its type, its description, its choices (as an enum) or default."""
    # errors="replace": gegl --info prints an "operation-class" key of GEGL's own that is not text
    info = subprocess.run(["gegl", "--info", "dreamclean:restore"], capture_output=True, text=True, errors="replace").stdout
    text = " ".join(info.split())
    for entry in SCHEMA:
        name = entry["name"].replace("_", "-")
        type_name = {"int": "gint", "float": "gdouble", "bool": "gboolean"}.get(entry["type"], f"DreamcleanRestore_{entry['name']}")
        assert f"{name} [{type_name}] " + " ".join(entry["description"].split()) in text, entry["name"]
        if entry["type"] == "string":
            assert "[" + ", ".join(entry["choices"]) in text, entry["name"]
