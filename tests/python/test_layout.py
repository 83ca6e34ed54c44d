# SPDX-License-Identifier: GPL-2.0
"""Host test: the ctypes layouts of vexfs._uapi are the C header's.

A C program, generated from the ctypes field lists, prints sizeof() of
every structure and offsetof()/sizeof() of every field, the value of
every request number and of every numeric VEXFS_* #define of
include/vexfs_uapi.h; each must equal what ctypes computes.  So a field
added, moved or resized in the header and not in _uapi.py fails here, and
so does a new constant.
"""

import ctypes
import os
import re
import subprocess

import pytest

from vexfs import _uapi as U

top = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))
header = os.path.join(top, "include", "vexfs_uapi.h")


def _c_program():
    lines = ["#include <stdio.h>", "#include <stddef.h>",
             '#include "vexfs_uapi.h"', "int main(void) {"]
    for cname, st in U.STRUCTS.items():
        lines.append(f'printf("size {cname} %zu\\n", sizeof(struct {cname}));')
        for fname, _ in st._fields_:
            lines.append(
                f'printf("field {cname}.{fname} %zu %zu\\n", '
                f'offsetof(struct {cname}, {fname}), '
                f'sizeof(((struct {cname} *)0)->{fname}));')
    for name in _defines():
        lines.append(f'printf("define {name} %llu\\n", '
                     f'(unsigned long long)({name}));')
    lines += ["return 0;", "}"]
    return "\n".join(lines) + "\n"


def _defines():
    """Every VEXFS_* macro of the header whose value is a number."""
    names = []
    with open(header) as f:
        for m in re.finditer(r"^#define\s+(VEXFS_\w+)\s+(\\\n\s*)?([^\s\"].*)$",
                             f.read(), re.M):
            if m.group(1).startswith("VEXFS_EMBEDDING_XATTR"):
                continue
            names.append(m.group(1))
    return names


@pytest.fixture(scope="module")
def c_layout(tmp_path_factory):
    d = tmp_path_factory.mktemp("layout")
    src, exe = d / "layout.c", d / "layout"
    src.write_text(_c_program())
    subprocess.run(["gcc", "-Wall", "-Werror", "-I", os.path.dirname(header),
                    "-o", str(exe), str(src)], check=True)
    out = subprocess.run([str(exe)], check=True, capture_output=True,
                         text=True).stdout
    return [line.split() for line in out.splitlines()]


def test_struct_sizes(c_layout):
    sizes = {w[1]: int(w[2]) for w in c_layout if w[0] == "size"}
    assert set(sizes) == set(U.STRUCTS)
    for cname, st in U.STRUCTS.items():
        assert ctypes.sizeof(st) == sizes[cname], cname


def test_field_offsets_and_sizes(c_layout):
    fields = {w[1]: (int(w[2]), int(w[3])) for w in c_layout
              if w[0] == "field"}
    n = 0
    for cname, st in U.STRUCTS.items():
        for fname, _ in st._fields_:
            desc = getattr(st, fname)
            assert (desc.offset, desc.size) == fields[f"{cname}.{fname}"], \
                f"{cname}.{fname}"
            n += 1
    assert n == len(fields)


def test_struct_has_every_c_field():
    """A field added to the header but not to _uapi.py shows as a size
    difference above; this names it: every member of each C struct is a
    ctypes field."""
    text = open(header).read()
    for cname, st in U.STRUCTS.items():
        body = re.search(r"struct %s \{(.*?)\};" % cname, text, re.S).group(1)
        members = re.findall(r"^\s*(?:struct \w+|__[us]\d+)\s+(\w+)", body,
                             re.M)
        assert members == [f for f, _ in st._fields_], cname


def test_defines_and_request_numbers(c_layout):
    defines = {w[1]: int(w[2]) for w in c_layout if w[0] == "define"}
    assert "VEXFS_IOC_QUERY" in defines
    for name, value in defines.items():
        assert hasattr(U, name), f"{name} is in the header, not in _uapi.py"
        assert getattr(U, name) == value, name
    assert set(U.IOCTLS) <= set(defines)
