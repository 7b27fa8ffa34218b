"""The documentation agrees with the code: error codes, hooks, units, examples and form counts."""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import re
import tomllib
from pathlib import Path

import pytest

from unionforms import UNITS, Form, Registry, hookspecs
from unionforms.cli import build_parser
from unionforms.excel import contract, safety
from unionforms.rules import Implication

ROOT = Path(__file__).parent.parent
SPECS = ROOT / "specs"
DOCS = ROOT / "docs"

_FENCE_RE = re.compile(r"^```([^\n]*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
_TYPES = {"=": "=", "<=": "≤", ">=": "≥", "<": "<", ">": ">", "!=": "≠"}


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _blocks(text: str, language: str) -> list[str]:
    """The bodies of the fenced code blocks whose info string starts with ``language``."""
    return [body for info, body in _FENCE_RE.findall(text) if info.split(" ")[0] == language]


def _table_after(text: str, header: str) -> list[list[str]]:
    """The rows (cells stripped) of the markdown table whose header line is exactly ``header``."""
    lines = text.splitlines()
    start = lines.index(header)
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows


def _shipped_form_ids() -> set[str]:
    return {
        ep.name
        for ep in importlib.metadata.entry_points(group=hookspecs.ENTRY_POINT_GROUP)
        if ep.value.startswith("unionforms_plugins.")
    }


@pytest.fixture(scope="module")
def shipped() -> Registry:
    registry = Registry.from_entry_points()
    assert registry.problems == []
    return registry


# ---- specs/plugins.md -------------------------------------------------------------------------


def _hookspec_names() -> list[str]:
    marker = f"{hookspecs.PROJECT}_spec"
    return [name for name, obj in vars(hookspecs).items() if callable(obj) and hasattr(obj, marker)]


def test_every_hookspec_is_specified_in_plugins_md() -> None:
    names = _hookspec_names()
    assert names, "no hookspecs found"
    text = _read(SPECS / "plugins.md")
    assert [name for name in names if f"def {name}(" not in text] == []


def test_conformance_md_lists_every_test_of_the_kit() -> None:
    from unionforms.testing import FormConformance

    tests = [name for name in dir(FormConformance) if name.startswith("test_")]
    text = _read(SPECS / "conformance.md")
    rows = [row[0].strip("`") for row in _table_after(text, "| test | property |")]
    assert sorted(rows) == sorted(tests)


def test_specs_say_there_is_no_conformance_file_to_copy() -> None:
    text = _read(SPECS / "plugins.md")
    assert "FormConformance" in text
    assert not [b for b in _blocks(text, "python") if "def test_" in b]


def test_mapping_md_examples_parse() -> None:
    from unionforms.mapping import FormMapping

    (body,) = [b for b in _blocks(_read(SPECS / "mapping.md"), "toml") if "[[map]]" in b]
    mapping = FormMapping.from_dict(tomllib.loads(body))
    assert [e.kind.value for e in mapping.entries] == ["same", "split", "renamed"]


# ---- specs/form-definition.md -----------------------------------------------------------------


def test_every_unit_is_in_the_units_table_with_its_kind() -> None:
    text = _read(SPECS / "form-definition.md")
    rows = {row[0]: row[1] for row in _table_after(text, "| unit | kind |")}
    assert rows == {f"`{unit}`": kind.value for unit, kind in UNITS.items()}


# ---- docs/plugin-authoring.md -----------------------------------------------------------------


def test_toml_examples_in_plugin_authoring_load() -> None:
    from unionforms.mapping import FormMapping

    blocks = _blocks(_read(DOCS / "plugin-authoring.md"), "toml")
    assert blocks
    for body in blocks:
        data = tomllib.loads(body)
        if "project" in data:  # the plugin's pyproject.toml
            assert data["project"]["entry-points"][hookspecs.ENTRY_POINT_GROUP]
        elif "map" in data:
            mapping = FormMapping.from_dict(data)
            assert (mapping.old, mapping.new) == ("songwennuan-2017", "songwennuan-2018")
        else:
            form = Form.from_dict(data)
            assert form.id == f"{form.family}-{form.year}"


def test_plugin_authoring_shows_the_edits_the_out_of_tree_test_makes() -> None:
    from . import test_outoftree as oot

    text = _read(DOCS / "plugin-authoring.md")
    shown = [
        oot.LINE_04_NEW,
        oot.LINE_12,
        oot.RULE_12,
        *(f'"{a}"  →  "{b}"' for a, b in oot.RULES_04.items()),
    ]
    assert [piece for piece in shown if piece not in text] == []
    for entry in oot.NEW_ENTRIES.strip().split("\n\n"):
        assert entry in text


def test_strategies_md_documents_every_option() -> None:
    import inspect

    from unionforms import strategies

    text = _read(DOCS / "strategies.md")
    options = _table_after(text, "| option | type | default | allowed | meaning |")
    documented = {row[0].strip("`") for row in options}
    for name in ("field_values", "reports", "valid_reports", "broken_reports"):
        params = inspect.signature(getattr(strategies, name)).parameters.values()
        keyword = {p.name for p in params if p.kind is inspect.Parameter.KEYWORD_ONLY}
        assert keyword <= documented, name
        assert f"`{name}(" in text


def test_toml_example_in_form_definition_loads() -> None:
    blocks = _blocks(_read(SPECS / "form-definition.md"), "toml")
    assert blocks
    for body in blocks:
        Form.from_dict(tomllib.loads(body))


# ---- docs/forms.md ----------------------------------------------------------------------------

SUMMARY_HEADER = "| form | year | title | fields | rules | error | warning | missing = zero |"
RULES_HEADER = "| rule | expr | type | severity | missing | wording (reason) |"


def test_forms_md_summary_matches_the_registry(shipped: Registry) -> None:
    rows = _table_after(_read(DOCS / "forms.md"), SUMMARY_HEADER)
    stated = {row[0].strip("`"): row for row in rows}
    assert set(stated) == _shipped_form_ids()
    for form_id, (_, year, title, fields, rules, errors, warnings, zero) in stated.items():
        form = shipped.get(form_id)
        n_errors = sum(r.severity.value == "error" for r in form.rules)
        n_zero = sum(r.missing.value == "zero" for r in form.rules)
        assert (int(year), title) == (form.year, form.title), form_id
        assert int(fields) == len(form.fields), f"{form_id}: fields"
        assert int(rules) == len(form.rules), f"{form_id}: rules"
        assert int(errors) == n_errors, f"{form_id}: error rules"
        assert int(warnings) == len(form.rules) - n_errors, f"{form_id}: warning rules"
        assert int(zero) == n_zero, f"{form_id}: missing = zero"


def _rule_type(expr_tree: object) -> str:
    if isinstance(expr_tree, Implication):
        return "→"
    return _TYPES[expr_tree.op]  # type: ignore[attr-defined]


@pytest.mark.parametrize("form_id", sorted(_shipped_form_ids()))
def test_forms_md_rule_table_matches_the_form(shipped: Registry, form_id: str) -> None:
    text = _read(DOCS / "forms.md")
    heading = next(line for line in text.splitlines() if line.startswith(f"## `{form_id}`"))
    section = text.split(heading, 1)[1].split("\n## ", 1)[0]
    rows = _table_after(section, RULES_HEADER)
    form = shipped.get(form_id)
    assert [row[0].strip("`") for row in rows] == [r.id for r in form.rules]
    for row, rule in zip(rows, form.rules, strict=True):
        assert row[1].strip("`") == rule.expr, rule.id
        assert row[2] == _rule_type(rule.tree), rule.id
        assert (row[3], row[4]) == (rule.severity.value, rule.missing.value), rule.id
    assert f"{len(form.fields)} fields, {len(form.rules)} rules." in section


# ---- specs/excel-template.md ------------------------------------------------------------------


def test_excel_template_md_names_every_contract_name() -> None:
    text = _read(SPECS / "excel-template.md")
    names = [contract.ID_SHEET, contract.FIELD_PREFIX, *contract.HEADER_NAMES.values(), contract.YESNO_NAME]
    assert [name for name in names if f"`{name}" not in text] == []
    assert f"**template contract version {contract.CONTRACT_VERSION}**" in text


def test_excel_template_md_lists_every_safety_bound() -> None:
    text = _read(SPECS / "excel-template.md")
    bounds = [name for name in vars(safety) if name.isupper() and isinstance(getattr(safety, name), int)]
    assert bounds, "no bounds found in excel/safety.py"
    assert [name for name in bounds if f"`{name}`" not in text] == []


# ---- docs/user-guide.md -----------------------------------------------------------------------


def _cli_commands() -> list[str]:
    actions = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    assert len(actions) == 1
    return list(actions[0].choices)


def test_user_guide_shows_every_cli_command() -> None:
    commands = _cli_commands()
    assert {"blank", "fill", "read", "pdf", "validate"} <= set(commands)
    text = _read(DOCS / "user-guide.md")
    assert [name for name in commands if f"unionforms {name}" not in text] == []


# ---- docs/platforms.md ------------------------------------------------------------------------


def test_platforms_md_says_how_every_dependency_installs_on_windows() -> None:
    pyproject = tomllib.loads(_read(ROOT / "pyproject.toml"))
    names = [re.split(r"[<>=\[ ;]", dep)[0].lower() for dep in pyproject["project"]["dependencies"]]
    rows = {m.group(1).lower() for m in re.finditer(r"^\| `([^`]+)` \|", _read(DOCS / "platforms.md"), re.M)}
    assert names and [name for name in names if name not in rows] == []


def test_the_simulated_windows_job_runs_every_command_the_issue_names() -> None:
    """docs/platforms.md promises these commands under simulated Windows: tests/test_winsim.py has them."""
    from .test_winsim import commands

    ran = {argv[0] for _, argv in commands("r.json")}
    assert {"list", "show", "blank", "fill", "read", "validate", "aggregate", "export"} <= ran
    assert "platforms.md" in _read(DOCS / "user-guide.md")
