"""The documentation agrees with the code: error codes, hooks, units, examples and form counts."""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import inspect
import re
import shlex
import shutil
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

from unionforms import UNITS, Form, Registry
from unionforms.cli import build_parser
from unionforms.core.rules import Implication
from unionforms.excel import contract, safety
from unionforms.plugins import hookspecs

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
    from unionforms.authoring.mapping import FormMapping

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
    from unionforms.authoring.mapping import FormMapping

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


# ---- every code example runs ------------------------------------------------------------------

#: ``<!-- not-run: reason -->`` just before a fenced block: the block is deliberately not run (its
#: ``unionforms`` lines are still parsed), and the reason says why.
_NOT_RUN_RE = re.compile(r"<!-- not-run: ([^>]+?) -->\s*\Z")
_EXAMPLE_FILES = sorted(SPECS.glob("*.md")) + sorted(DOCS.glob("*.md"))


@attrs.frozen
class _Example:
    """A fenced code block of a document: where it stands, its language, its text, why it is not run."""

    file: str
    line: int
    language: str
    body: str
    not_run: str | None

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


def _examples(language: str) -> list[_Example]:
    found = []
    for path in _EXAMPLE_FILES:
        text = _read(path)
        for m in _FENCE_RE.finditer(text):
            if m.group(1).split(" ")[0] != language:
                continue
            before = _NOT_RUN_RE.search(text[: m.start()])
            found.append(
                _Example(
                    str(path.relative_to(ROOT)),
                    text.count("\n", 0, m.start()) + 1,
                    language,
                    m.group(2),
                    before.group(1) if before else None,
                )
            )
    return found


def _shell_examples() -> list[_Example]:
    return [e for e in _examples("sh") if re.search(r"^unionforms ", e.body, re.M)]


def test_the_examples_not_run_are_few_and_each_says_why() -> None:
    """Adding an example that is not run is a decision: this count changes with it."""
    python = [e.where for e in _examples("python") if e.not_run]
    shell = sorted(e.where for e in _shell_examples() if e.not_run)
    assert python == []
    assert len(shell) == 2, shell
    assert all(len(e.not_run or "") > 20 for e in _shell_examples() if e.not_run)
    assert len(_examples("python")) >= 10 and len(_shell_examples()) >= 20


#: The names an excerpt of a plugin module uses without importing them: the module's own imports, as
#: ``specs/plugins.md`` §2 and ``docs/plugin-authoring.md`` show them.
def _preamble() -> dict[str, object]:
    from importlib.resources import files
    from typing import Any

    from unionforms import hookimpl
    from unionforms.authoring.mapping import FormMapping

    return {
        "hookspec": hookspecs.hookspec,
        "hookimpl": hookimpl,
        "Form": Form,
        "FormMapping": FormMapping,
        "Any": Any,
        "files": files,
    }


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, shipped: Registry) -> Iterator[tuple[Registry, Path]]:
    """The plugin-authoring guide's 2018 package (made by new-form, edited as the guide says) installed
    beside the shipped forms: what the examples of plugin authors run against."""
    from unionforms.authoring.scaffold import new_form
    from unionforms.plugins.registry import Plugin

    from .test_outoftree import PACKAGE, edit_to_2018

    folder = tmp_path_factory.mktemp("world")
    package = new_form(
        shipped.get("songwennuan-2017"), "songwennuan-2018", folder / "unionforms-songwennuan-2018"
    )
    edit_to_2018(package)
    sys.path.insert(0, str(package / "src"))
    try:
        registry = Registry.from_entry_points()
        registry.add(Plugin("songwennuan-2018", importlib.import_module(PACKAGE)))
        assert registry.problems == []
        yield registry, package
    finally:
        sys.path.remove(str(package / "src"))
        for name in [m for m in sys.modules if m.startswith(PACKAGE)]:
            del sys.modules[name]


def _run_python(example: _Example, registry: Registry, tmp: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    """Run one Python example as the module it is an excerpt of, then what it defines; how many things
    it defined were run."""
    import types

    from hypothesis import settings

    from unionforms.authoring.mapping import declared_mappings
    from unionforms.excel.writer import write_template
    from unionforms.plugins import registry as registry_module
    from unionforms.plugins.registry import Plugin
    from unionforms.testing import FormConformance, run_conformance

    from .test_outoftree import PACKAGE

    monkeypatch.setattr(registry_module, "_DEFAULT", registry)  # default_registry(): the 2018 form installed
    module = types.ModuleType(PACKAGE)  # the plugin package's module: files(__name__) is its folder
    module.__dict__.update(_preamble())
    exec(compile(example.body, example.where, "exec"), module.__dict__)
    ran = 0
    for name, value in list(vars(module).items()):
        if hasattr(value, f"{hookspecs.PROJECT}_spec"):  # an excerpt of hookspecs.py: the same hook
            declared = getattr(hookspecs, name)
            assert inspect.signature(value).parameters.keys() == inspect.signature(declared).parameters.keys()
            ran += 1
        elif hasattr(value, f"{hookspecs.PROJECT}_impl"):  # a plugin's hook: called through a registry
            alone = Registry.from_plugins([Plugin("example", module)])
            assert alone.problems == [], example.where
            if name == "unionforms_forms":
                assert [f.id for f in alone] == ["songwennuan-2018"]
            elif name == "unionforms_mappings":
                assert [(m.old, m.new) for m in declared_mappings(alone)] == [
                    ("songwennuan-2017", "songwennuan-2018")
                ]
            else:
                assert name == "unionforms_adjust_template"
                write_template(registry.get("songwennuan-2018"), tmp / f"{example.line}.xlsx", registry=alone)
            ran += 1
        elif isinstance(value, type) and issubclass(value, FormConformance) and value is not FormConformance:
            run_conformance(value.form_id, examples=3, registry=registry)
            ran += 1
        elif callable(value) and hasattr(value, "hypothesis"):  # a property test: run it
            settings(max_examples=10, deadline=None)(value)()
            ran += 1
    return ran


@pytest.mark.parametrize("example", _examples("python"), ids=lambda e: e.where)
def test_every_python_example_runs(
    example: _Example, world: tuple[Registry, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry, _ = world
    assert _run_python(example, registry, tmp_path, monkeypatch) >= 1, "the example defines nothing to run"


def _command_lines(body: str) -> list[str]:
    """The lines of a shell example (continuations joined, comments dropped), ``unionforms`` and ``cd``."""
    joined = re.sub(r"\\\n\s*", " ", body)
    lines = []
    for line in joined.splitlines():
        words = shlex.split(line, comments=True)
        if words and (words[0] in ("unionforms", "cd") or words[:4] == ["python", "-m", "pip", "install"]):
            lines.append(line)
    return lines


@pytest.mark.parametrize("example", _shell_examples(), ids=lambda e: e.where)
def test_every_shell_example_is_a_command_line_unionforms_takes(example: _Example) -> None:
    for line in _command_lines(example.body):
        words = shlex.split(line, comments=True)
        if words[0] == "unionforms":
            argv = _argv(words)
            build_parser(only=argv[0]).parse_args(argv)  # SystemExit (argparse's usage error) fails


def _argv(words: list[str]) -> list[str]:
    """A command line's arguments: up to a redirect (``> file``), without the ellipsis of "and so on"."""
    argv = words[1 : words.index(">")] if ">" in words else words[1:]
    return [w for w in argv if w != "…"]


def _readers_files(folder: Path, registry: Registry) -> None:
    """The files the guides' examples name beside the round, as their reader would have them: returns
    of one unit in two years, a few cities' returns and report JSON, last year's and this year's totals,
    the cities' totals with the province's 名录."""
    import datetime
    import random

    import openpyxl

    from unionforms import Meta, Report
    from unionforms.cli import main
    from unionforms.excel.fill import fill
    from unionforms.io.jsonio import dumps

    from .returns import valid_values

    rng = random.Random(5)

    def report(form_id: str, unit: str) -> tuple[Form, Report]:
        form = registry.get(form_id)
        meta = Meta(unit, "曾心怡", "0833-2133419", datetime.date(form.year, 1, 15))
        return form, Report(form_id, meta, valid_values(form, rng))

    returns = {
        "乐山市.xlsx": ("songwennuan-2017", "乐山市总工会"),
        "眉山市.xlsx": ("songwennuan-2017", "眉山市总工会"),
        "2014年报表.xlsx": ("songwennuan-2014", "市中区总工会"),
        "2017年报表.xlsx": ("songwennuan-2017", "市中区总工会"),
        "2017-乐山.xlsx": ("songwennuan-2017", "乐山市总工会"),
        "2018-乐山.xlsx": ("songwennuan-2018", "乐山市总工会"),
    }
    for name, (form_id, unit) in returns.items():
        fill(*report(form_id, unit), folder / name)
    for name in ("报表.json", "报表3.json"):
        (folder / name).write_text(dumps(report("songwennuan-2017", "夹江县总工会")[1]), encoding="utf-8")
    (folder / "各市汇总").mkdir()
    totals = {
        "汇总2014.json": ("2014年报表.xlsx", "市中区总工会"),
        "汇总2017.json": ("2017-乐山.xlsx", "乐山市总工会"),
        "汇总2018.json": ("2018-乐山.xlsx", "乐山市总工会"),
        "各市汇总/乐山市汇总.json": ("乐山市.xlsx", "乐山市总工会"),
        "各市汇总/眉山市汇总.json": ("眉山市.xlsx", "眉山市总工会"),
    }
    for name, (source, unit) in totals.items():
        argv = ["aggregate", str(folder / source), "--unit", unit, "-o", str(folder / name), "--quiet"]
        assert main(argv) == 0, name
    book = openpyxl.Workbook()
    for row in (["单位名称"], ["乐山市总工会"], ["眉山市总工会"]):
        book.active.append(row)
    book.save(folder / "四川省名录.xlsx")


@pytest.mark.parametrize("document", sorted({e.file for e in _shell_examples() if not e.not_run}))
def test_every_shell_example_runs(
    document: str,
    world: tuple[Registry, Path],
    shipped: Registry,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The shell examples of a document, in order, in one folder: a round of returns as ``收回/`` with its
    ``名录.xlsx`` (tests/round_folder.py), the guide's package installed once ``new-form`` made it."""
    from unionforms.cli import main
    from unionforms.plugins import registry as registry_module

    from .round_folder import make_round

    registry, _ = world
    make_round(tmp_path, registry)
    shutil.copytree(tmp_path / "收回", tmp_path / "收回的报表")
    monkeypatch.setattr(registry_module, "_DEFAULT", registry)
    _readers_files(tmp_path, registry)
    capsys.readouterr()
    monkeypatch.setattr(registry_module, "_DEFAULT", shipped)  # until the guide installs its package
    monkeypatch.chdir(tmp_path)
    ran = 0
    for example in _shell_examples():
        if example.file != document or example.not_run:
            continue
        for line in _command_lines(example.body):
            words = shlex.split(line, comments=True)
            if words[0] == "cd":
                monkeypatch.chdir(words[1])
                continue
            if words[0] == "python":  # pip install: of unionforms in the user guide, of the 2018 package
                if document == "docs/plugin-authoring.md":  # (as edited) in the plugin authors' guide
                    monkeypatch.setattr(registry_module, "_DEFAULT", registry)
                continue
            argv = _argv(words)  # a redirect's stdout is what the test reads anyway
            for name in argv:  # the reader's files are where the reader works (after a `cd` too)
                here, kept = Path.cwd() / name, tmp_path / name
                if "/" not in name.rstrip("/") and not here.exists() and kept.exists() and here != kept:
                    (shutil.copytree if kept.is_dir() else shutil.copy)(kept, here)
            status = main(argv)
            out, err = capsys.readouterr()
            # 2 only for the round's one unusable file (a command on the round), never for the example
            allowed = (0, 1, 2) if argv[0] in ("validate", "status", "aggregate", "export") else (0, 1)
            assert status in allowed, (example.where, line, out[-1500:], err[-1500:])
            assert "internal error" not in err and not re.search(r"\b(OUT|ENV|PLUG)-\d{3}", out + err), (
                example.where,
                line,
                err[-1500:],
            )
            ran += 1
    assert ran >= 5
