"""Plugins load through entry points; third-party ones like built-ins; broken ones are reported."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from unionforms import InputError, Registry, hookimpl

DEMO = """
from unionforms import Form, hookimpl

DEFINITION = {
    "id": "demo-2018", "family": "demo", "year": 2018, "version": "1", "title": "演示表",
    "lines": [{"number": "01", "rows": ["[A]职工总数{人}，[B]其中农民工{人}。"]}],
    "rules": [{"id": "01B-part", "expr": "01B <= 01A", "reason": "其中"}],
}

@hookimpl
def unionforms_forms():
    return [Form.from_dict(DEFINITION)]
"""

HOOK = "from unionforms import hookimpl\n@hookimpl\ndef unionforms_forms():\n"


def _install(site: Path, dist: str, entry_points: dict[str, str], modules: dict[str, str]) -> None:
    info = site / f"{dist}-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1\n", encoding="utf-8")
    eps = "[unionforms]\n" + "".join(f"{k} = {v}\n" for k, v in entry_points.items())
    (info / "entry_points.txt").write_text(eps, encoding="utf-8")
    for name, source in modules.items():
        (site / f"{name}.py").write_text(textwrap.dedent(source), encoding="utf-8")


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Path]:
    sys.path.insert(0, str(tmp_path))
    yield tmp_path
    sys.path.remove(str(tmp_path))
    for name in [m for m in sys.modules if m.startswith("uf_test_")]:
        del sys.modules[name]


def test_third_party_plugin_loads_beside_the_built_ins(site: Path) -> None:
    _install(site, "uf_test_demo", {"demo": "uf_test_demo"}, {"uf_test_demo": DEMO})
    registry = Registry.from_entry_points()
    assert registry.problems == []
    assert registry.get("demo-2018").rule("01B-part").expr == "01B <= 01A"
    assert "songwennuan-2017" in registry.forms


def test_broken_plugins_are_reported_and_the_rest_still_load(site: Path) -> None:
    _install(
        site,
        "uf_test_broken",
        {
            "a-import": "uf_test_missing_module",
            "b-raises": "uf_test_raises",
            "c-bad-rule": "uf_test_bad_rule",
            "d-duplicate": "uf_test_dup",
            "e-wrong-type": "uf_test_wrong",
        },
        {
            "uf_test_raises": HOOK + "    raise RuntimeError('boom')\n",
            "uf_test_bad_rule": DEMO.replace("01B <= 01A", "01B <= 01Z"),
            "uf_test_dup": "from unionforms import hookimpl, default_registry\n"
            "from unionforms_plugins.bangfu_2016 import unionforms_forms as _f\n"
            "@hookimpl\ndef unionforms_forms():\n    return _f()\n",
            "uf_test_wrong": HOOK + "    return 'x'\n",
        },
    )
    registry = Registry.from_entry_points()
    codes = sorted(p.code for p in registry.problems)
    assert codes == ["PLUG-001", "PLUG-002", "PLUG-003", "PLUG-006", "PLUG-007"]
    messages = " ".join(str(p) for p in registry.problems)
    for name in ("a-import", "b-raises", "c-bad-rule", "e-wrong-type", "boom", "01Z"):
        assert name in messages
    assert {"songwennuan-2014", "songwennuan-2017", "bangfu-2013", "bangfu-2016"} <= set(registry.forms)


def test_unknown_form_names_the_known_ones(registry: Registry) -> None:
    with pytest.raises(InputError) as info:
        registry.get("songwennuan-2099")
    assert info.value.code == "IN-003"
    assert "songwennuan-2017" in str(info.value)


def test_plugins_with_wrong_hook_signatures_or_no_hooks_are_reported() -> None:
    from unionforms.plugins.registry import Plugin

    class WrongSignature:
        @hookimpl
        def unionforms_adjust_template(self, form: object, wb: object) -> None: ...

    class NoHooks:
        def unionforms_forms(self) -> list[object]:
            return []

    registry = Registry.from_plugins([Plugin("wrong", WrongSignature()), Plugin("none", NoHooks())])
    assert [p.code for p in registry.problems] == ["PLUG-004", "PLUG-005"]
    assert "wrong" in str(registry.problems[0]) and "@unionforms.hookimpl" in str(registry.problems[1])


def test_a_plugins_error_names_its_line_even_beside_the_library_folder() -> None:
    """The library's frames are left out by folder: ``src/unionforms/``, not every path that starts with
    ``src/unionforms`` (``src/unionforms_plugins/…`` is a plugin's own code)."""
    from unionforms.plugins import registry as registry_module

    package = Path(registry_module.__file__).resolve().parent.parent
    beside = str(package.parent / "unionforms_plugins" / "made_up" / "__init__.py")
    code = compile("def hook():\n    raise KeyError('99')\n", beside, "exec")
    space: dict[str, object] = {}
    exec(code, space)
    with pytest.raises(KeyError) as caught:
        space["hook"]()  # type: ignore[operator]
    detail = registry_module._detail(caught.value)
    assert detail == f"KeyError: '99' ({beside}:2, in hook)"
