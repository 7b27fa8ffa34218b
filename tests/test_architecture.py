"""The architecture holds: no import cycles, and data flows one way through the layers in pyproject.toml."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_are_kept() -> None:
    exe = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(exe), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False, timeout=300
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


#: Run one command, then write the modules it imported, one a line, to the file ``UF_TEST_MODULES`` names.
_IMPORTED = (
    "import os, sys\n"
    "from unionforms.cli import main\n"
    "status = main(sys.argv[1:])\n"
    "with open(os.environ['UF_TEST_MODULES'], 'w') as fh:\n"
    "    fh.write('\\n'.join(sys.modules))\n"
    "sys.exit(status)\n"
)

#: What no command that writes nothing imports: openpyxl (a workbook is read by our own reader), and,
#: with the registry cache up to date, neither the plugins' machinery nor a definition parser.
_NEVER = (
    "openpyxl",
    "pluggy",
    "importlib.metadata",
    "tomllib",
    "unionforms.plugins.hookspecs",
    "unionforms_plugins",
)

#: Beyond those, what each command does not need: no checking to list or show, no JSON to check a workbook.
_NOT_FOR = {
    "list": ("unionforms.core.evaluate", "unionforms.collect.batch", "unionforms.excel", "cattrs"),
    "show": ("unionforms.core.evaluate", "unionforms.collect.batch", "unionforms.excel", "cattrs"),
    "schema": ("unionforms.core.evaluate", "unionforms.collect.batch", "unionforms.excel", "cattrs"),
    "validate": ("cattrs", "unionforms.io.jsonio"),
    "read": (),  # it prints the report JSON, written through cattrs
}


def _imported(argv: list[str], cwd: Path, cache: Path) -> set[str]:
    out = cwd.parent / "modules.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("UNIONFORMS_")}
    env.update(UNIONFORMS_CACHE_DIR=str(cache), UF_TEST_MODULES=str(out))
    result = subprocess.run(
        [sys.executable, "-c", _IMPORTED, *argv],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr[-2000:]
    return set(out.read_text(encoding="utf-8").splitlines())


def test_commands_that_write_nothing_import_only_what_they_need(tmp_path: Path) -> None:
    from unionforms.cli import main

    report = tmp_path / "r.json"
    report.write_text('{"form": "bangfu-2016", "values": {"01": 3}}', encoding="utf-8")
    filled = tmp_path / "r.xlsx"
    assert main(["fill", str(report), "-o", str(filled)]) == 0
    work = tmp_path / "work"  # the working folder is on sys.path of `python -c`: nothing is written there
    work.mkdir()
    cache = tmp_path / "cache"
    commands = (
        ["list"],
        ["show", "bangfu-2016", "--json"],
        ["schema", "bangfu-2013"],
        ["validate", str(filled)],
        ["read", str(filled)],
    )
    cold = _imported(["list"], work, cache)  # fills the cache: the plugins load, their definitions parse
    assert {"pluggy", "tomllib", "unionforms_plugins"} <= cold and "openpyxl" not in cold
    for argv in commands:
        modules = _imported(argv, work, cache)
        names = (*_NEVER, *_NOT_FOR[argv[0]])
        unwanted = {m for m in modules if any(m == n or m.startswith(n + ".") for n in names)}
        assert unwanted == set(), argv
        loaded = {m for m in modules if m.startswith("unionforms.cli.") and "._" not in m}
        if argv[0] in ("validate", "read"):  # a command in a module of its own name: that module alone
            assert loaded == {f"unionforms.cli.{argv[0]}"}, argv


def test_the_package_exports_every_public_name_and_imports_none_up_front() -> None:
    code = (
        "import sys\n"
        "import unionforms\n"
        "assert [m for m in sys.modules if m.startswith('unionforms.')] == [], 'imported up front'\n"
        "import unionforms.core.validate, unionforms.core.evaluate\n"  # the submodules, then the names
        "from unionforms import evaluate, validate\n"
        "assert callable(validate) and validate.__module__ == 'unionforms.core.validate', validate\n"
        "assert callable(evaluate) and evaluate.__module__ == 'unionforms.core.evaluate', evaluate\n"
        "for name in unionforms.__all__:\n"
        "    assert getattr(unionforms, name) is not None, name\n"
        "assert set(unionforms.__all__) <= set(dir(unionforms))\n"
        "try:\n"
        "    unionforms.nothing_of_that_name\n"
        "except AttributeError:\n"
        "    pass\n"
        "else:\n"
        "    raise AssertionError('an unknown name resolved')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr[-2000:]


def _mapped_modules() -> list[str]:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = text.split("## Module map", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([\w/]+\.py)` \|", section, flags=re.M)


def test_the_module_map_names_every_module_and_only_those() -> None:
    """docs/architecture.md stays true: every module of the package has its line, and no line is stale."""
    package = ROOT / "src" / "unionforms"
    tree = {p.relative_to(package).as_posix() for p in package.rglob("*.py")}
    tree -= {p for p in tree if p.endswith("/__init__.py")}  # a package has its bold line instead
    mapped = _mapped_modules()
    assert len(mapped) == len(set(mapped)), "a module has two lines"
    assert sorted(tree - set(mapped)) == [], "modules missing from the map in docs/architecture.md"
    assert sorted(set(mapped) - tree) == [], "the map names modules that are not in the tree"


def test_every_package_of_the_tree_has_its_heading_in_the_map() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    package = ROOT / "src" / "unionforms"
    for sub in sorted(p.parent.name for p in package.glob("*/__init__.py")):
        assert f"| **`{sub}/`** |" in text, sub


def test_old_import_paths_still_work_with_a_warning() -> None:
    """Every module that moved into a sub-package keeps its old path, deprecated, for one release."""
    script = (
        "import importlib, warnings, unionforms\n"
        "for old, new in unionforms.MOVED.items():\n"
        "    with warnings.catch_warnings(record=True) as caught:\n"
        "        warnings.simplefilter('always')\n"
        "        moved = importlib.import_module(old)\n"
        "    assert moved is importlib.import_module(new), old\n"
        "    assert moved.__spec__.name == new, old\n"
        "    assert [w.category for w in caught] == [DeprecationWarning], (old, caught)\n"
        "    assert new in str(caught[0].message), old\n"
        "from unionforms.model import Form\n"
        "from unionforms.core.model import Form as Same\n"
        "assert Form is Same\n"
        "import unionforms.validate\n"
        "v = unionforms.validate\n"
        "assert callable(v) and v.__module__ == 'unionforms.core.validate'\n"
        "print(len(unionforms.MOVED))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    package = ROOT / "src" / "unionforms"
    moved_now = {
        f"unionforms.{p.relative_to(package).with_suffix('').as_posix().replace('/', '.')}"
        for p in package.glob("*/*.py")
        if p.parent.name in ("core", "plugins", "collect", "authoring") and p.stem != "__init__"
    }
    import unionforms

    assert set(unionforms.MOVED.values()) <= moved_now  # new modules had no old path
    assert int(done.stdout) == len(unionforms.MOVED) > 30
