"""Start next year's form as a plugin package, copied from a registered form (``unionforms new-form``).

The package holds everything a plugin needs (``docs/plugin-authoring.md``): a pyproject with the entry
point and package data, the definition copied for editing (the source's years moved on, ``copied_from``
recorded so ``unionforms check`` can warn about rules whose codes moved), a mapping from the source form
(every code ``same`` until edited), a README and a test module running the conformance kit. The source
definition is read with importlib.resources, so this works from a wheel as from a source tree.
"""

from __future__ import annotations

import importlib.metadata
import re
import shutil
import tempfile
import tomllib
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from unionforms.core.errors import InputError
from unionforms.core.model import Form
from unionforms.plugins import hookspecs

_NEW_ID_RE = re.compile(r"^([a-z][a-z0-9]*(?:-[a-z][a-z0-9]*)*)-(\d{4})$")


def definition_source(form_id: str) -> Traversable | None:
    """The form.toml of a registered form, found through the entry points, or None."""
    for ep in sorted(
        importlib.metadata.entry_points(group=hookspecs.ENTRY_POINT_GROUP), key=lambda e: e.name
    ):
        try:
            candidate = files(ep.module) / "form.toml"
            if not candidate.is_file():
                continue
            with candidate.open("rb") as fh:
                if tomllib.load(fh).get("id") == form_id:
                    return candidate
        except (ImportError, OSError, tomllib.TOMLDecodeError, TypeError):
            continue
    return None


def new_form(source: Form, new_id: str, directory: str | Path) -> Path:
    """Write a plugin package for ``new_id`` into ``directory`` (which must not exist or be empty)."""
    m = _NEW_ID_RE.match(new_id)
    if not m:
        raise InputError("IN-060", id=repr(new_id))
    family, year = m.group(1), int(m.group(2))
    target = Path(directory)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise InputError("IN-061", file=str(target))
    found = definition_source(source.id)
    if found is None:
        raise InputError("IN-062", form_id=source.id)
    package = "unionforms_" + new_id.replace("-", "_")
    text = _retarget(found.read_text(encoding="utf-8"), source, new_id, family, year)
    parts = {
        "pyproject.toml": _PYPROJECT.format(id=new_id, package=package, title=_title(source, year)),
        "README.md": _README.format(id=new_id, source=source.id, package=package, title=_title(source, year)),
        f"src/{package}/__init__.py": _INIT.format(id=new_id, source=source.id),
        f"src/{package}/form.toml": text,
        f"src/{package}/mapping.toml": _mapping(source, new_id, year),
        "tests/test_conformance.py": _TEST.format(id=new_id, cls=_class_name(new_id)),
    }
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".uf-new-", dir=target.parent) as tmp:
        staging = Path(tmp) / "package"
        for name, content in parts.items():
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
        if target.exists():
            target.rmdir()  # empty, checked above
        shutil.move(str(staging), str(target))  # one rename: the package appears whole or not at all
    return target


def _title(source: Form, year: int) -> str:
    return source.title.replace(str(source.year), str(year))


def _class_name(form_id: str) -> str:
    return "Test" + "".join(part.capitalize() for part in form_id.split("-"))


def _retarget(text: str, source: Form, new_id: str, family: str, year: int) -> str:
    """The source definition with its identity replaced and its printed years moved on."""
    body = text.lstrip("\ufeff").splitlines()
    while body and (body[0].startswith("#") or not body[0].strip()):
        body.pop(0)  # the source's own header comment describes the source, not the copy
    out = [
        f"# {new_id}: copied from {source.id} by `unionforms new-form`. Edit it to match the printed",
        f"# {year} form: every row, letter, unit and rule (docs/plugin-authoring.md). Printed years were",
        f"# moved from {source.year} to {year}; check them too.",
    ]
    keys = {"id": f'"{new_id}"', "family": f'"{family}"', "year": str(year), "version": '"1"'}
    top = True  # identity keys are the top-level ones, before the first table
    for line in body:
        top = top and not line.startswith("[")
        key = line.split("=", 1)[0].strip() if top and "=" in line and not line.startswith(" ") else None
        if key in keys:
            out.append(f"{key} = {keys[key]}")
            if key == "version":
                out.append(f'copied_from = "{source.id}"')
            continue
        if key == "copied_from":
            continue
        out.append(line.replace(f"{source.year}年", f"{year}年"))
    return "\n".join(out) + "\n"


def _mapping(source: Form, new_id: str, year: int) -> str:
    out = [
        f"# How the codes of {new_id} map to those of {source.id}. Written by `unionforms new-form` with",
        "# every code `same`: when you add, remove, move or reword a blank, change its entry here",
        "# (kinds: same, renamed, split, merged, new, dropped; specs/mapping.md), quoting the labels.",
        f'from = "{source.id}"',
        f'to = "{new_id}"',
    ]
    for f in source.iter_fields():
        letter = f"（{f.letter}）" if f.letter else ""
        label = f.label if "___" in f.label else f"{f.label}___{f.printed_unit}"
        why = f"{source.year} {f.line}{letter}“{label}” → {year} 同一栏目"
        why += f"（复制自 {source.id}，待对照 {year} 年印刷表核对）"
        out += ["", "[[map]]", 'kind = "same"', f'from = "{f.code}"', f'to = "{f.code}"', f'why = "{why}"']
    return "\n".join(out) + "\n"


_PYPROJECT = """\
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "unionforms-{id}"
version = "0.1.0"
description = "{title} for unionforms"
requires-python = ">=3.11"
dependencies = ["unionforms>=0.1"]

[project.optional-dependencies]
test = ["unionforms[testing]", "pytest>=8"]

# The entry point makes the form visible to unionforms; its name is the form id.
[project.entry-points.unionforms]
{id} = "{package}"

[tool.setuptools.packages.find]
where = ["src"]

# form.toml and mapping.toml must be inside the wheel.
[tool.setuptools.package-data]
{package} = ["form.toml", "mapping.toml"]
"""

_INIT = '''\
"""Plugin: the {id} form (form.toml) and its mapping from {source} (mapping.toml)."""

from importlib.resources import files

from unionforms import Form, FormMapping, hookimpl


@hookimpl
def unionforms_forms() -> list[Form]:
    return [Form.from_toml(files(__name__) / "form.toml")]


@hookimpl
def unionforms_mappings() -> list[FormMapping]:
    return [FormMapping.from_toml(files(__name__) / "mapping.toml")]
'''

_TEST = '''\
"""The unionforms conformance kit on {id}: definition, rules, strategies, JSON and Excel round trips."""

from unionforms.testing import FormConformance


class {cls}(FormConformance):
    form_id = "{id}"
'''

_README = """\
# unionforms-{id}

{title}, as a [unionforms](https://pypi.org/project/unionforms/) plugin. Started with

    unionforms new-form --from {source} --id {id} --dir .

so `src/{package}/form.toml` is still {source}'s definition with the years moved on.

1. Edit `src/{package}/form.toml` to match the printed form, row by row (`docs/plugin-authoring.md`).
2. Edit `src/{package}/mapping.toml`: how each code maps to {source} (`specs/mapping.md`).
3. `unionforms check .` — every problem at once, by file, line and column.
4. `python -m pip install ".[test]"` and `python -m pytest`; then `unionforms diff {source} {id}`.

A non-editable install copies the files: after each edit, install again (or use `pip install -e .`).
"""
