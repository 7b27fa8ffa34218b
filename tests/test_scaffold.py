"""`new-form`: a plugin package copied from a registered form, ready to install and test.

That the package installs with pip and passes its own tests (unedited and edited) is proved in a fresh
venv by tests/test_outoftree.py.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from unionforms import Form, InputError, Registry
from unionforms.authoring.definition_check import check_definition
from unionforms.authoring.diff import diff
from unionforms.authoring.mapping import FormMapping
from unionforms.authoring.scaffold import definition_source, new_form


def test_the_built_in_definitions_are_found_as_package_resources(registry: Registry) -> None:
    for form in registry:
        source = definition_source(form.id)
        assert source is not None and Form.from_toml(source) == form
    assert definition_source("no-such-2099") is None


@pytest.mark.parametrize(
    ("source", "new_id"), [("songwennuan-2017", "songwennuan-2018"), ("bangfu-2013", "bangfu-2014")]
)
def test_a_new_form_package(registry: Registry, tmp_path: Path, source: str, new_id: str) -> None:
    old = registry.get(source)
    package = new_form(old, new_id, tmp_path / "pkg")
    module = "unionforms_" + new_id.replace("-", "_")
    files = sorted(str(p.relative_to(package)) for p in package.rglob("*") if p.is_file())
    assert files == [
        "README.md",
        "pyproject.toml",
        f"src/{module}/__init__.py",
        f"src/{module}/form.toml",
        f"src/{module}/mapping.toml",
        "tests/test_conformance.py",
    ]
    project = tomllib.loads((package / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["entry-points"]["unionforms"] == {new_id: module}
    assert project["tool"]["setuptools"]["package-data"] == {module: ["form.toml", "mapping.toml"]}
    text = (package / "src" / module / "form.toml").read_text(encoding="utf-8")
    assert f'copied_from = "{source}"' in text
    form = Form.from_toml(package / "src" / module / "form.toml")
    assert (form.id, form.year, form.version) == (new_id, int(new_id[-4:]), "1")
    assert str(old.year) not in form.title and str(form.year) in form.title
    assert [r.expr for r in form.rules] == [r.expr for r in old.rules]
    # same codes, units and labels (years aside): the diff is empty but for the moved years
    assert diff(old, form).fields == () and diff(old, form).rules == ()
    mapping = FormMapping.from_toml(package / "src" / module / "mapping.toml")
    assert mapping.problems(old, form) == []
    result = check_definition(package, registry)
    assert result.problems == ()
    conformance = (package / "tests" / "test_conformance.py").read_text(encoding="utf-8")
    assert f'form_id = "{new_id}"' in conformance and "FormConformance" in conformance


def test_nothing_is_overwritten(registry: Registry, tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(InputError, match="not empty"):
        new_form(registry.get("songwennuan-2017"), "songwennuan-2018", tmp_path / "pkg")
    assert [p.name for p in (tmp_path / "pkg").iterdir()] == ["keep.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["pkg"]  # no staging folder left behind


@pytest.mark.parametrize("new_id", ["songwennuan2018", "Songwennuan-2018", "songwennuan-18"])
def test_the_new_id_must_be_family_year(registry: Registry, tmp_path: Path, new_id: str) -> None:
    with pytest.raises(InputError, match="family-year"):
        new_form(registry.get("songwennuan-2017"), new_id, tmp_path / "pkg")
