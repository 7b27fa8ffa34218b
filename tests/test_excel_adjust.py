"""Plugins' template hooks are called one at a time and checked: a hook that moves a cell, raises or returns
something is a PLUG error naming the plugin, in the library and in blank, fill, read and validate."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
import types
from pathlib import Path

import openpyxl
import pytest

from unionforms import Form, PluginError, Registry
from unionforms.core.report import Report
from unionforms.excel.contract import field_name
from unionforms.excel.fill import fill
from unionforms.excel.layout import plan
from unionforms.excel.writer import build_workbook, write_template
from unionforms.io.jsonio import dumps
from unionforms.plugins.registry import Plugin

ROOT = Path(__file__).parent.parent
FORM = "songwennuan-2017"

#: Third-party plugins as authors write them: a module of hooks, acting on one form only.
PLUGINS = {
    "mover": """
        from unionforms import hookimpl

        @hookimpl
        def unionforms_adjust_template(form, sheet):
            if form.id == "songwennuan-2017":
                sheet.insert_rows(6)  # a title line above the table: moves every cell, not the names
    """,
    "raiser": """
        from unionforms import hookimpl

        @hookimpl
        def unionforms_adjust_template(form, sheet, layout):
            if form.id == "songwennuan-2017":
                row = layout.lines["99"][1]  # no line 99: KeyError
    """,
    "returner": """
        from unionforms import hookimpl

        @hookimpl
        def unionforms_adjust_template(form, sheet, layout):
            if form.id == "songwennuan-2017":
                sheet.column_dimensions["C"].width = 64
                return sheet  # the hook returns nothing
    """,
}
EXPECTED = {"mover": "PLUG-012", "raiser": "PLUG-010", "returner": "PLUG-011"}


def _module(source: str) -> types.ModuleType:
    module = types.ModuleType("uf_test_hooks")
    exec(compile(textwrap.dedent(source), "<plugin>", "exec"), module.__dict__)
    return module


def _registry(name: str, source: str) -> Registry:
    return Registry.from_plugins([Plugin(name, _module(source))])


def _error(registry: Registry, form: Form) -> PluginError:
    with pytest.raises(PluginError) as caught:
        build_workbook(form, registry=registry)
    return caught.value


def test_a_hook_that_inserts_a_row_names_the_plugin_and_the_field_that_moved(registry: Registry) -> None:
    form = registry.get(FORM)
    error = _error(_registry("mover", PLUGINS["mover"]), form)
    first = next(iter(form.fields))  # every cell from row 6 down moved; the first field is named
    at = plan(form).fields[first]
    assert error.code == "PLUG-012" and error.params["plugin"] == "mover"
    assert error.params["name"] == field_name(first) and error.params["expected"] == at
    assert error.params["found"] == f"{at[0]}{int(at[1:]) + 1}"
    assert "mover" in error.text() and field_name(first) in error.text()


def test_a_hook_that_raises_names_plugin_hook_and_its_own_line(registry: Registry) -> None:
    error = _error(_registry("raiser", PLUGINS["raiser"]), registry.get(FORM))
    assert error.code == "PLUG-010"
    assert error.params == {"plugin": "raiser", "hook": "unionforms_adjust_template"}
    assert error.detail is not None and error.detail.startswith("KeyError: '99'")
    assert "in unionforms_adjust_template" in error.detail
    assert isinstance(error.__cause__, KeyError)


def test_the_whole_traceback_is_the_detail_when_asked_for(
    registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UNIONFORMS_TRACEBACK", "1")
    error = _error(_registry("raiser", PLUGINS["raiser"]), registry.get(FORM))
    assert error.detail is not None and error.detail.startswith("Traceback (most recent call last)")
    assert 'row = layout.lines["99"][1]' not in error.detail  # the source of <plugin> is not on disk
    assert error.detail.rstrip().endswith("KeyError: '99'")


def test_a_hook_that_returns_a_value_is_plug_011(registry: Registry) -> None:
    error = _error(_registry("returner", PLUGINS["returner"]), registry.get(FORM))
    assert error.code == "PLUG-011" and error.params["type"] == "Worksheet"


@pytest.mark.parametrize(
    ("action", "code", "name"),
    [
        ("wb.defined_names['F_01B'].attr_text = wb.defined_names['F_01A'].attr_text", "PLUG-012", "F_01B"),
        ("del wb.defined_names['H_unit']", "PLUG-012", "H_unit"),
        ("sheet.delete_rows(7)", "PLUG-012", "F_01B"),
        ("sheet.move_range('D6:D6', cols=1)", "PLUG-012", "F_01A"),
        ("sheet[layout.fields['01A']] = 0", "PLUG-013", "F_01A (D6)"),
        ("sheet[layout.fields['01A']].protection = Protection(locked=True)", "PLUG-013", "F_01A (D6)"),
        ("sheet.title = 'x'", "PLUG-013", "2017年工会送温暖活动统计表"),
        ("wb['_unionforms']['B2'] = 'songwennuan-2014'", "PLUG-013", "_unionforms"),
    ],
)
def test_every_kind_of_displacement_is_named(registry: Registry, action: str, code: str, name: str) -> None:
    source = f"""
        from openpyxl.styles import Protection
        from unionforms import hookimpl

        @hookimpl
        def unionforms_adjust_template(form, workbook, sheet, layout):
            wb = workbook
            {action}
    """
    error = _error(_registry("careless", source), registry.get(FORM))
    assert (error.code, error.params["plugin"], error.params["name"]) == (code, "careless", name)


@pytest.mark.parametrize("mover_first", [True, False])
def test_the_plugin_at_fault_is_blamed_not_a_harmless_one_beside_it(
    registry: Registry, mover_first: bool
) -> None:
    harmless = (
        "from unionforms import hookimpl\n@hookimpl\ndef unionforms_adjust_template(sheet):\n    pass\n"
    )
    plugins = [Plugin("harmless", _module(harmless)), Plugin("mover", _module(PLUGINS["mover"]))]
    both = Registry.from_plugins(plugins[::-1] if mover_first else plugins)
    assert _error(both, registry.get(FORM)).params["plugin"] == "mover"


def _spec_example() -> str:
    """The example hook of specs/plugins.md §2.2, as printed."""
    text = (ROOT / "specs" / "plugins.md").read_text(encoding="utf-8")
    section = text.split("### 2.2", 1)[1].split("### 2.3", 1)[0]
    return str(re.findall(r"```python\n(.*?)```", section, re.S)[-1])


def test_the_spec_example_runs_on_a_form_without_notes(tmp_path: Path) -> None:
    """It once took ``max(layout.last_row, *layout.notes_rows)``: a TypeError on a form without notes."""
    form = Form.from_dict(
        {
            "id": "songwennuan-2018", "family": "songwennuan", "year": 2018, "version": "1",
            "title": "2018年工会送温暖活动统计表",
            "lines": [{"number": f"0{n}", "rows": [f"[A]第{n}项{{人}}。"]} for n in (1, 2, 3, 4)],
        }
    )  # fmt: skip
    assert not form.notes.items
    layout = write_template(form, tmp_path / "t.xlsx", registry=_registry("example", _spec_example()))
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx")[layout.sheet]
    row = layout.last_row + 1
    assert str(ws[f"A{row}"].value).startswith("单位负责人")
    assert ws.print_area == f"'{layout.sheet}'!$A$1:$E${row}"
    assert ws.column_dimensions["C"].width == 64


# --- the commands, with the plugin installed as a distribution ---------------------------------------


def _install(site: Path, name: str) -> None:
    """Install the plugin ``name`` as a distribution would: its module and entry point in ``site``."""
    module = f"uf_test_hook_{name}"
    info = site / f"{module}-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: 0.1\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(f"[unionforms]\n{name} = {module}\n", encoding="utf-8")
    (site / f"{module}.py").write_text(textwrap.dedent(PLUGINS[name]), encoding="utf-8")


def _unionforms(site: Path, *args: str, cwd: Path) -> tuple[int, str, str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("UNIONFORMS_")}
    environ["PYTHONPATH"] = str(site)
    environ["UNIONFORMS_CACHE_DIR"] = str(site.parent / "cache")
    code = "import sys; from unionforms.cli import main; sys.exit(main())"
    done = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=cwd, capture_output=True, text=True, env=environ, timeout=300
    )
    return done.returncode, done.stdout, done.stderr


@pytest.fixture(scope="module")
def returns(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A report and its filled template, made without any plugin hook."""
    folder = tmp_path_factory.mktemp("returns")
    form = Registry.from_entry_points().get(FORM)
    report = Report(FORM, values={"01A": 120, "01B": 30})
    (folder / "r.json").write_text(dumps(report), encoding="utf-8")
    fill(form, report, folder / "r.xlsx")
    return folder


@pytest.mark.parametrize("plugin", sorted(PLUGINS))
@pytest.mark.parametrize("command", ["blank", "fill", "read", "validate"])
def test_each_command_names_the_plugin_at_fault(
    tmp_path: Path, returns: Path, plugin: str, command: str
) -> None:
    site = tmp_path / "site"
    _install(site, plugin)
    args = {
        "blank": ["blank", FORM, "-o", "t.xlsx"],
        "fill": ["fill", str(returns / "r.json"), "-o", "f.xlsx"],
        "read": ["read", str(returns / "r.xlsx")],
        "validate": ["validate", str(returns / "r.xlsx")],
    }[command]
    status, out, err = _unionforms(site, *args, cwd=tmp_path)
    code = EXPECTED[plugin]
    assert status == 2, (out, err)
    assert re.search(rf"{code} (\[[^]]*\] )?插件 {plugin} 的钩子 unionforms_adjust_template", out + err)
    assert "internal error" not in err and "Traceback" not in err and "IN-094" not in out + err
    assert not (tmp_path / "t.xlsx").exists() and not (tmp_path / "f.xlsx").exists()
    if plugin == "raiser":  # the plugin's own line, without --traceback
        line = (
            textwrap.dedent(PLUGINS["raiser"])
            .splitlines()
            .index('        row = layout.lines["99"][1]  # no line 99: KeyError')
            + 1
        )
        assert f"uf_test_hook_raiser.py:{line}, in unionforms_adjust_template" in out + err


def test_traceback_shows_the_plugins_code(tmp_path: Path) -> None:
    site = tmp_path / "site"
    _install(site, "raiser")
    for args in (["--traceback", "blank", FORM, "-o", "t.xlsx"], ["blank", FORM, "-o", "t.xlsx", "--json"]):
        status, out, err = _unionforms(site, *args, cwd=tmp_path)
        assert status == 2
        if args[0] == "--traceback":
            assert "Traceback (most recent call last)" in err and 'row = layout.lines["99"][1]' in err
        else:
            assert json.loads(out)["error"]["code"] == "PLUG-010" and "Traceback" not in err


def test_a_harmless_hook_passes_every_command(tmp_path: Path, returns: Path) -> None:
    site = tmp_path / "site"
    _install(site, "returner")
    source = PLUGINS["returner"].replace("return sheet", "pass")
    (site / "uf_test_hook_returner.py").write_text(textwrap.dedent(source), encoding="utf-8")
    assert _unionforms(site, "blank", FORM, "-o", "t.xlsx", cwd=tmp_path)[0] == 0
    status, out, _ = _unionforms(site, "read", str(returns / "r.xlsx"), cwd=tmp_path)
    assert status == 0 and json.loads(out)["values"] == {"01A": 120, "01B": 30}
    wb = openpyxl.load_workbook(tmp_path / "t.xlsx")
    assert wb.worksheets[0].column_dimensions["C"].width == 64
