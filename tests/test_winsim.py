"""Runs where the statisticians are: the core commands, run in processes that lack what Windows' Python
lacks (``tests/winsim/sitecustomize.py``: no ``fork``, ``O_NONBLOCK``, ``killpg``, ``SIGALRM``,
``setitimer``, ``resource``, ``fcntl``), give what the normal run gives: the same exit status, the same
output (as the console's encoding can hold it) and the same files. Also with a cp936 console and with
Python's UTF-8 mode off under an ASCII locale. ``docs/platforms.md`` says what this proves.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

from unionforms import Registry
from unionforms.excel.libreoffice import find_soffice

from .returns import make_folder

ROOT = Path(__file__).resolve().parent.parent
WINSIM = Path(__file__).resolve().parent / "winsim"
EXE = Path(sys.executable).with_name("unionforms")
FORM = "songwennuan-2017"
UNIT = "测试市总工会"

#: Each mode: its environment beside the machine's, and the encoding its stdout and stderr have.
SIMULATED = {"PYTHONPATH": str(WINSIM), "UNIONFORMS_NO_CACHE": "1"}
MODES: dict[str, tuple[dict[str, str], str]] = {
    "normal": ({}, "utf-8"),
    "windows": (SIMULATED, "utf-8"),
    "windows-cp936": ({**SIMULATED, "PYTHONIOENCODING": "cp936"}, "gbk"),
    "windows-utf8-off": ({**SIMULATED, "PYTHONUTF8": "0", "LC_ALL": "C"}, "ascii"),
}
#: Modes run on a copy of the returns with ASCII file names (their contents as they are): under an ASCII
#: locale Linux hands Chinese names (and arguments) over as undecodable bytes, which Windows never does.
ASCII_NAMES = frozenset({"windows-utf8-off"})


def commands(one_json: str, unit: str = UNIT) -> list[tuple[str, list[str]]]:
    """The core commands, as a county statistician would run them, each with a name."""
    runs = [
        ("list", ["list"]),
        ("show", ["show", FORM]),
        ("show-json", ["show", FORM, "--json"]),
        ("blank", ["blank", FORM, "-o", "out/blank.xlsx"]),
        ("fill-one", ["fill", one_json, "-o", "out/one.xlsx"]),
        ("fill-many", ["fill", "in/**/*.json", "-o", "out/filled", "--jobs", "2"]),
        ("read", ["read", "out/one.xlsx"]),
        ("read-json", ["read", "out/one.xlsx", "--json"]),
        ("validate-one", ["validate", "out/one.xlsx"]),
        ("validate-many", ["validate", "in", "--jobs", "2"]),
        ("validate-json", ["validate", "in", "--jobs", "2", "--json"]),
        ("validate-report", ["validate", "in", "--report", "out/report.xlsx", "--annotate", "out/marked"]),
        ("aggregate", ["aggregate", "in", "--form", FORM, "--unit", unit, "-o", "out/total.json"]),
        ("export-csv", ["export", "in", "-o", "out/figures.csv"]),
        ("export-sqlite", ["export", "in", "-o", "sqlite:///out/figures.db"]),
    ]
    if find_soffice() is not None:
        runs.append(("pdf", ["pdf", "out/one.xlsx", "-o", "out/one.pdf"]))
    return runs


@attrs.frozen
class Run:
    status: int
    stdout: str
    stderr: str


def _unescape(text: str) -> str:
    """What a console's text says once the escapes of characters it could not encode are read back
    (``\\uXXXX``, surrogate pairs joined), and file names decoded under an ASCII locale made whole."""
    text = re.sub(r"(?:\\u[0-9a-f]{4})+", lambda m: json.loads(f'"{m.group()}"'), text)
    return _whole(text)


def _whole(text: str) -> str:
    """A file name decoded under an ASCII locale (its bytes kept as surrogates) as UTF-8 text."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8")


def _run(argv: list[str], mode: str, cwd: Path) -> Run:
    extra, encoding = MODES[mode]
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONIOENCODING", "PYTHONUTF8", "PYTHONPATH")}
    env = {**env, "COLUMNS": "100", **extra}
    done = subprocess.run([str(EXE), *argv], cwd=cwd, env=env, capture_output=True, timeout=300, check=False)
    return Run(
        done.returncode, _unescape(done.stdout.decode(encoding)), _unescape(done.stderr.decode(encoding))
    )


def _files(top: Path) -> dict[str, object]:
    """Every file written under ``top``, by relative name: what it holds, as far as a run decides it."""
    out: dict[str, object] = {}
    for path in sorted(top.rglob("*")):
        if not path.is_file():
            continue
        name = path.relative_to(top).as_posix()
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as zf:
                out[name] = {
                    i.filename: zf.read(i) for i in zf.infolist() if i.filename != "docProps/core.xml"
                }
        elif path.suffix == ".db":
            with sqlite3.connect(path) as db:  # when each row was written aside
                out[name] = [re.sub(r"'\d{4}-\d\d-\d\d \d\d:\d\d:[\d.]+'", "T", r) for r in db.iterdump()]
        elif path.suffix == ".pdf":
            out[name] = len(re.findall(rb"/Type\s*/Page[^s]", path.read_bytes()))
        else:
            out[name] = path.read_bytes()
    return out


@pytest.fixture(scope="module")
def returns(tmp_path_factory: pytest.TempPathFactory, registry: Registry) -> Path:
    """A county's folder of returns: workbooks and JSON, broken ones, unusable ones, a lock file; and
    beside it the same with ASCII names."""
    root = tmp_path_factory.mktemp("winsim")
    make_folder(root / "in", registry, 8, json_share=0.5, seed=20)
    shutil.copytree(root / "in", root / "ascii")
    for path in sorted((root / "ascii").rglob("*"), key=lambda p: -len(p.parts)):
        path.rename(path.with_name("".join(c if c.isascii() else f"u{ord(c):x}" for c in path.name)))
    return root / "in"


def _session(mode: str, returns: Path, top: Path, names: str = "in") -> Iterator[tuple[str, Run]]:
    work = top / mode
    shutil.copytree(returns.with_name(names), work / "in")
    one = sorted((work / "in").rglob("*.json"))[0].relative_to(work).as_posix()
    for name, argv in commands(one, UNIT if names == "in" else "Test City"):
        yield name, _run(argv, mode, work)


Baseline = tuple[dict[str, Run], dict[str, object]]


@pytest.fixture(scope="module")
def normal(returns: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Baseline]:
    """The normal run's outputs, with the returns' own names and with ASCII names (made when asked)."""

    class Runs(dict[str, Baseline]):
        def __missing__(self, names: str) -> Baseline:
            top = tmp_path_factory.mktemp("modes")
            self[names] = (dict(_session("normal", returns, top, names)), _files(top / "normal" / "out"))
            return self[names]

    return Runs()


@pytest.mark.parametrize("mode", [m for m in MODES if m != "normal"])
def test_the_core_commands_give_what_the_normal_run_gives(
    mode: str,
    returns: Path,
    normal: dict[str, Baseline],
    tmp_path: Path,
) -> None:
    names = "ascii" if mode in ASCII_NAMES else "in"
    runs, files = normal[names]
    assert (
        runs["validate-many"].status == 2 and "无法读取 4" in runs["validate-many"].stdout
    )  # the folder's mix
    assert runs["fill-many"].stdout.count("已写出") >= 3
    for name, got in _session(mode, returns, tmp_path, names):
        expected = runs[name]
        assert "internal error" not in got.stderr and "Traceback" not in got.stderr, (name, got.stderr)
        assert (got.status, got.stdout, got.stderr) == (expected.status, expected.stdout, expected.stderr), (
            name
        )
    got_files = _files(tmp_path / mode / "out")
    assert sorted(got_files) == sorted(files)
    for name in files:
        assert got_files[name] == files[name], name


def test_an_output_held_open_is_out_006_and_the_rest_of_the_run_goes_on(
    returns: Path, tmp_path: Path
) -> None:
    """Windows: a filled workbook the statistician still has open in Excel is refused, named, with what
    to do; every other output is written and the run ends in status 2 (some input unusable)."""
    shutil.copytree(returns, tmp_path / "in")
    first = _run(["fill", "in/**/*.json", "-o", "out"], "windows", tmp_path)
    written = sorted(p.name for p in (tmp_path / "out").rglob("*.xlsx"))
    assert first.status == 2 and len(written) >= 3, first.stderr  # the folder holds an unknown form
    held = written[0]
    before = {p.name: p.read_bytes() for p in (tmp_path / "out").rglob("*.xlsx")}
    extra, _ = MODES["windows"]
    MODES["held"] = ({**extra, "UNIONFORMS_SIM_HELD": held}, "utf-8")
    try:
        again = _run(["fill", "in/**/*.json", "-o", "out", "--force"], "held", tmp_path)
        checked = _run(["validate", "out", "--jobs", "2"], "held", tmp_path)
    finally:
        del MODES["held"]
    assert again.status == 2
    assert again.stderr.count("OUT-006") == 1 and "请先在 Excel/WPS 中关闭该文件" in again.stderr
    (line,) = [line for line in again.stderr.splitlines() if "OUT-006" in line]
    assert f"[输出文件 out/{held}]" in line  # the output held, not only the input it was made from
    assert again.stdout.count("已写出") == len(written) - 1
    after = {p.name: p.read_bytes() for p in (tmp_path / "out").rglob("*.xlsx")}
    assert after[held] == before[held]  # left as it was
    assert "internal error" not in again.stderr + checked.stderr
    assert checked.status == 2
    lines = [line for line in checked.stdout.splitlines() if line.startswith("无法读取")]
    assert len(lines) == 1 and held in lines[0] and "IN-017" in lines[0]
    assert f"共 {len(written)} 个输入" in checked.stdout
