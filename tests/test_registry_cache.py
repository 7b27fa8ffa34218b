"""The registry cache: used while nothing the forms came from changed, and never trusted otherwise.

Each load runs in a new process, as each command does: a plugin whose hook says on stderr that it
was called shows whether the forms came from the cache (no call) or from the plugin (a call).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from unionforms import Registry
from unionforms.plugins import registry_cache

GROUP = "uf_test_cache"

PLUGIN = """
import os
import sys
from pathlib import Path

from unionforms import Form, hookimpl

from uf_test_cache_title import TITLE

HERE = Path(__file__).parent


@hookimpl
def unionforms_forms():
    sys.stderr.write("uf-test-cache: called\\n")
    form = Form.from_toml(HERE / "uf_test_cache.toml")
    if os.environ.get("UF_TEST_EDIT"):  # the definition is edited while the load runs
        path = HERE / "uf_test_cache.toml"
        path.write_text(path.read_text(encoding="utf-8").replace("年演示表", "年新表"), encoding="utf-8")
        stamp = path.stat().st_mtime_ns + 2_000_000_000
        os.utime(path, ns=(stamp, stamp))
    return [Form.from_dict({**DEFINITION, "title": TITLE}), form]


DEFINITION = {
    "id": "demo-2018", "family": "demo", "year": 2018, "version": "1", "title": "?",
    "lines": [{"number": "01", "rows": ["[A]职工总数{人}，[B]其中农民工{人}。"]}],
    "rules": [{"id": "01B-part", "expr": "01B <= 01A", "reason": "其中"}],
}
"""

DEFINITION = """
id = "demo-2019"
family = "demo"
year = 2019
version = "1"
title = "{title}"
[[lines]]
number = "01"
rows = ["[A]职工总数{{人}}。"]
"""

LOAD = """
import json, sys
from unionforms import Registry
registry = Registry.from_entry_points(sys.argv[1], cache=True)
print(json.dumps({
    "titles": {f.id: f.title for f in registry},
    "problems": [p.code for p in registry.problems],
    "rules": [r.expr for f in registry for r in f.rules],
}))
"""


def _install(site: Path, dist: str, entry_points: dict[str, str]) -> None:
    info = site / f"{dist}-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1\n", encoding="utf-8")
    eps = f"[{GROUP}]\n" + "".join(f"{k} = {v}\n" for k, v in entry_points.items())
    (info / "entry_points.txt").write_text(eps, encoding="utf-8")


def _touch(path: Path, text: str) -> None:
    """Write ``text`` and move the modification time on, as an edit a second later would."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before + 2_000_000_000, before + 2_000_000_000))


@pytest.fixture
def site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    site.mkdir()
    _install(site, "uf_test_cache", {"demo": "uf_test_cache"})
    (site / "uf_test_cache.py").write_text(textwrap.dedent(PLUGIN), encoding="utf-8")
    (site / "uf_test_cache_title.py").write_text('TITLE = "演示表"\n', encoding="utf-8")
    (site / "uf_test_cache.toml").write_text(DEFINITION.format(title="二〇一九年演示表"), encoding="utf-8")
    # As after an install: the byte code is written (a load that writes it is not cached, the next is).
    _load(site, tmp_path / "warm-up")
    return site


def _load(
    site: Path, cache: Path | None, *, script: str = LOAD, args: tuple[str, ...] = (), **env: str
) -> dict[str, Any]:
    """Load the registry of the test group in a new process; what it found, and whether the plugin ran.

    It runs in a folder of its own, as ``python -c`` puts the working folder on ``sys.path``.
    """
    work = site.parent / "work"
    work.mkdir(exist_ok=True)
    environ = {k: v for k, v in os.environ.items() if not k.startswith("UNIONFORMS_")}
    environ.pop("PYTHONDONTWRITEBYTECODE", None)  # modules load from byte code, as installed ones do
    environ["PYTHONPATH"] = str(site)
    if cache is not None:
        environ["UNIONFORMS_CACHE_DIR"] = str(cache)
    environ.update(env)
    done = subprocess.run(
        [sys.executable, "-c", script, GROUP, *args],
        capture_output=True,
        text=True,
        env=environ,
        cwd=work,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return {**json.loads(done.stdout), "plugin_ran": "uf-test-cache: called" in done.stderr}


def test_a_second_load_comes_from_the_cache_and_gives_the_same_forms(site: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = _load(site, cache)
    assert first["plugin_ran"] and first["problems"] == []
    assert first["titles"] == {"demo-2018": "演示表", "demo-2019": "二〇一九年演示表"}
    assert [p.name for p in cache.glob("registry-*.pickle")] != []
    second = _load(site, cache)
    assert not second["plugin_ran"]
    assert {k: v for k, v in second.items() if k != "plugin_ran"} == {
        k: v for k, v in first.items() if k != "plugin_ran"
    }


def test_a_changed_definition_file_is_read_again(site: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    _load(site, cache)
    _touch(site / "uf_test_cache.toml", DEFINITION.format(title="改过的标题"))
    again = _load(site, cache)
    assert again["plugin_ran"] and again["titles"]["demo-2019"] == "改过的标题"
    assert not _load(site, cache)["plugin_ran"]  # and the new forms are cached in turn


def test_a_changed_module_of_a_plugin_is_loaded_again(site: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    _load(site, cache)  # compiles the modules and writes their byte code
    _touch(site / "uf_test_cache.toml", DEFINITION.format(title="改过的标题"))
    assert _load(site, cache)["plugin_ran"]  # now they load from their byte code
    _touch(site / "uf_test_cache_title.py", 'TITLE = "新标题"\n')  # imported by the plugin, not named by it
    again = _load(site, cache)
    assert again["plugin_ran"] and again["titles"]["demo-2018"] == "新标题"


def test_a_file_changed_while_the_load_runs_is_read_again(site: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    during = _load(site, cache, UF_TEST_EDIT="1")
    assert during["titles"]["demo-2019"] == "二〇一九年演示表"  # read before the edit
    after = _load(site, cache)
    assert after["plugin_ran"] and after["titles"]["demo-2019"] == "二〇一九年新表"


def test_a_plugin_installed_or_removed_is_seen(site: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    _load(site, cache)
    (site / "uf_test_cache_more.py").write_text(
        "from unionforms import Form, hookimpl\nimport uf_test_cache as base\n"
        "@hookimpl\ndef unionforms_forms():\n"
        "    return [Form.from_dict({**base.DEFINITION, 'id': 'demo-2020', 'year': 2020})]\n",
        encoding="utf-8",
    )
    _install(site, "uf_test_cache_more", {"more": "uf_test_cache_more"})
    assert "demo-2020" in _load(site, cache)["titles"]
    for path in sorted((site / "uf_test_cache_more-0.1.dist-info").iterdir()):
        path.unlink()
    (site / "uf_test_cache_more-0.1.dist-info").rmdir()
    assert "demo-2020" not in _load(site, cache)["titles"]


def test_a_corrupt_or_truncated_cache_is_ignored_and_rewritten(site: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = _load(site, cache)
    (written,) = cache.glob("registry-*.pickle")
    good = written.read_bytes()
    for bad in (b"not a pickle at all", good[: len(good) // 2], good[:-1] + b"\x00"):
        written.write_bytes(bad)
        again = _load(site, cache)
        assert again["plugin_ran"] and again["titles"] == first["titles"]
        assert not _load(site, cache)["plugin_ran"]  # rewritten whole


ONE = """
import json, sys
from unionforms import Registry
registry = Registry.from_entry_points(sys.argv[1], cache=True)
print(json.dumps({"titles": {i: registry.get(i).title for i in sys.argv[2:]}, "problems": []}))
"""


def _damage(cache: Path, form_id: str) -> None:
    """Damage one form's entry of the cache file, and nothing else of it."""
    import pickle

    (written,) = cache.glob("registry-*.pickle")
    with open(written, "rb") as fh:
        header, forms = pickle.load(fh), pickle.load(fh)
    forms[form_id] = forms[form_id].replace(b"unionforms.core.model", b"unionforms.modex")
    with open(written, "wb") as fh:
        pickle.dump(header, fh)
        pickle.dump(forms, fh)


def test_a_command_unpickles_only_the_forms_it_uses_and_a_damaged_one_is_loaded_again(
    site: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    first = _load(site, cache)
    _damage(cache, "demo-2018")
    other = _load_one(site, cache, "demo-2019")  # the damaged entry is never unpickled
    assert other == {"titles": {"demo-2019": "二〇一九年演示表"}, "problems": [], "plugin_ran": False}
    damaged = _load_one(site, cache, "demo-2018", "demo-2019")
    assert damaged["plugin_ran"]  # the damaged entry: from the plugins, and the cache written again
    assert damaged["titles"] == {k: first["titles"][k] for k in ("demo-2018", "demo-2019")}
    assert _load_one(site, cache, "demo-2018")["plugin_ran"] is False


def _load_one(site: Path, cache: Path, *form_ids: str) -> dict[str, Any]:
    return _load(site, cache, script=ONE, args=form_ids)


def test_a_load_with_problems_is_not_cached(site: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    (site / "uf_test_cache_bad.py").write_text(
        "from unionforms import hookimpl\n"
        "@hookimpl\ndef unionforms_forms():\n    raise RuntimeError('boom')\n",
        encoding="utf-8",
    )
    _install(site, "uf_test_cache_bad", {"bad": "uf_test_cache_bad"})
    for _ in range(2):  # reported every run, never hidden behind a cache
        loaded = _load(site, cache)
        assert loaded["problems"] == ["PLUG-002"] and loaded["plugin_ran"]
    assert list(cache.glob("registry-*.pickle")) == []


def test_no_cache_when_turned_off(site: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    for _ in range(2):
        assert _load(site, cache, UNIONFORMS_NO_CACHE="1")["plugin_ran"]
    assert not cache.exists()


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() != 0, reason="needs root to give a file away")
def test_a_cache_file_of_another_user_is_never_read(site: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    _load(site, cache)
    (written,) = cache.glob("registry-*.pickle")
    os.chown(written, 65534, 65534)
    assert _load(site, cache)["plugin_ran"]


def test_the_cached_registry_loads_the_plugins_when_another_hook_is_needed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("UNIONFORMS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("UNIONFORMS_NO_CACHE", raising=False)
    loaded = Registry.from_entry_points(cache=True)
    cached = Registry.from_entry_points(cache=True)
    assert registry_cache.load_cached("unionforms") is not None
    assert cached.forms == loaded.forms and cached.problems == []
    names = {name for name, _ in cached.manager.list_name_plugin()}
    assert {"songwennuan-2014", "songwennuan-2017", "bangfu-2013", "bangfu-2016"} <= names
    assert cached.manager.hook.unionforms_mappings()  # the mappings hook, through the loaded plugins


def test_the_default_group_is_the_hookspecs_one() -> None:
    from unionforms.plugins import hookspecs, registry

    assert registry.DEFAULT_GROUP == hookspecs.ENTRY_POINT_GROUP


def test_where_the_cache_lives(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("UNIONFORMS_CACHE_DIR", "UNIONFORMS_NO_CACHE", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert registry_cache.directory() == tmp_path / ".cache" / "unionforms"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")  # as the XDG specification says
    assert registry_cache.directory() == tmp_path / ".cache" / "unionforms"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert registry_cache.directory() == tmp_path / "xdg" / "unionforms"
    monkeypatch.setenv("UNIONFORMS_CACHE_DIR", str(tmp_path / "mine"))
    assert registry_cache.directory() == tmp_path / "mine"
    monkeypatch.setenv("UNIONFORMS_NO_CACHE", "1")
    assert registry_cache.directory() is None


ADJUSTING = """
import json, sys
from unionforms import Registry
registry = Registry.from_entry_points(sys.argv[1], cache=True)
print(json.dumps({"adjusts": registry.adjusts_templates, "loaded": registry._manager is not None}))
"""


def test_whether_a_plugin_adjusts_templates_is_known_from_the_cache(site: Path, tmp_path: Path) -> None:
    """Reading a template checks the hooks only where a plugin has one, known without loading plugins."""
    cache = tmp_path / "cache"
    assert _load(site, cache, script=ADJUSTING) == {"adjusts": False, "loaded": True, "plugin_ran": True}
    assert _load(site, cache, script=ADJUSTING) == {"adjusts": False, "loaded": False, "plugin_ran": False}
    source = (site / "uf_test_cache.py").read_text(encoding="utf-8")
    hook = "\n\n@hookimpl\ndef unionforms_adjust_template(sheet):\n    pass\n"
    _touch(site / "uf_test_cache.py", source + hook)
    assert _load(site, cache, script=ADJUSTING)["adjusts"] is True  # writes the byte code: not kept
    assert _load(site, cache, script=ADJUSTING)["adjusts"] is True  # kept
    assert _load(site, cache, script=ADJUSTING) == {"adjusts": True, "loaded": False, "plugin_ran": False}
