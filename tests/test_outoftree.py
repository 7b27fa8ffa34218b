"""An out-of-tree plugin, end to end: made with `new-form`, edited by a script, installed into a fresh venv.

The fresh virtual environment gets unionforms itself built from a copy of this repository (a real,
non-editable install, so `new-form` reads the built-in definition from the installed package) and the
plugin package, both with ``--no-deps --no-build-isolation``. Third-party dependencies (attrs, openpyxl,
Hypothesis, pytest …) are borrowed read-only from the running environment through a ``.pth`` line after the
fresh venv's own site-packages, which keeps the test fast and offline. Nothing under ``src/`` changes.

The 2018 edits are those of docs/plugin-authoring.md (tests/test_docs.py checks the guide shows them):
a new sub-item shifting the letters of line 04, a new line 12, the rules of line 04 rewritten and a new
rule; the mapping from 2017 edited to match.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "unionforms_songwennuan_2018"

LINE_04_OLD = """  "[D]慰问困难家庭总数{户}，[E]其中困难职工{户}，",
  "[F]困难农民工{户}，[G]慰问困难劳模{户}。","""
LINE_04_NEW = """  "[D]慰问节日坚守岗位职工{人}；",
  "[E]慰问困难家庭总数{户}，[F]其中困难职工{户}，",
  "[G]困难农民工{户}，[H]慰问困难劳模{户}。","""
LINE_12 = """[[lines]]
number = "12"
rows = ["2018年元旦、春节期间为困难职工家庭发放节日慰问品{万元}。"]
"""
RULE_12 = """[[rules]]
id = "12-06-plausible"
expr = "#12 <= #06"
severity = "warning"
reason = "「为困难职工家庭发放节日慰问品」一般计入「发放款物」，但也可另行发放，故为合理性审核（警告）"
"""
RULES_04 = {
    "04E <= 04D": "04F <= 04E",
    "04F <= 04E": "04G <= 04F",
    "04F <= 04D": "04G <= 04E",
    "04G <= 04D": "04H <= 04E",
    "04E <= 03A": "04F <= 03A",
}
NEW_ENTRIES = """
[[map]]
kind = "new"
to = "04D"
why = "2018 04（D）“慰问节日坚守岗位职工___人” 是新增栏目，2017 表没有对应的栏目"

[[map]]
kind = "new"
to = "12"
why = "2018 12“2018年元旦、春节期间为困难职工家庭发放节日慰问品___万元” 是新增栏目"
"""


def edit_to_2018(package: Path) -> None:
    """Apply the guide's 2018 changes to a package made by `new-form --from songwennuan-2017`."""
    form = package / "src" / PACKAGE / "form.toml"
    text = form.read_text(encoding="utf-8")
    assert LINE_04_OLD in text
    text = text.replace(LINE_04_OLD, LINE_04_NEW)
    text = re.sub(r'expr = "(04[EFG] <= 0[34][ADE])"', lambda m: f'expr = "{RULES_04[m.group(1)]}"', text)
    text = text.replace("# ---- rules", LINE_12 + "\n# ---- rules") + "\n" + RULE_12
    form.write_text(text, encoding="utf-8")
    mapping = package / "src" / PACKAGE / "mapping.toml"
    text = mapping.read_text(encoding="utf-8")
    for old, new in (("04G", "04H"), ("04F", "04G"), ("04E", "04F"), ("04D", "04E")):
        text = text.replace(f'from = "{old}"\nto = "{old}"', f'from = "{old}"\nto = "{new}"')
    mapping.write_text(text + NEW_ENTRIES, encoding="utf-8")


def _sources(path: Path) -> dict[str, str]:
    """Every source file under ``path`` and the hash of its content (build metadata left out)."""
    return {
        str(file.relative_to(path)): hashlib.sha256(file.read_bytes()).hexdigest()
        for file in sorted(path.rglob("*"))
        if file.is_file() and not {"__pycache__", "unionforms.egg-info"} & set(file.relative_to(path).parts)
    }


def _copy_of_the_project(target: Path) -> Path:
    """The project's sources and metadata, copied so that building the wheel writes nothing here."""
    skip = shutil.ignore_patterns("__pycache__", "*.egg-info")
    shutil.copytree(ROOT / "src", target / "src", ignore=skip)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, target / name)
    return target


class Venv:
    """A fresh venv whose own site-packages come first; dependencies borrowed from this environment."""

    def __init__(self, path: Path) -> None:
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
        self.python = path / "bin" / "python"
        purelib = subprocess.run(
            [str(self.python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        Path(purelib, "_borrowed_deps.pth").write_text(
            sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8"
        )
        self.bin = path / "bin"

    def install(self, *paths: Path) -> None:
        cmd = [sys.executable, "-m", "pip", "--python", str(self.python), "install", "-q"]
        cmd += ["--no-deps", "--no-build-isolation", "--no-index", "--force-reinstall", *map(str, paths)]
        subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=300)

    def run(self, *args: str, cwd: Path, expect: int = 0) -> str:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        done = subprocess.run(
            [str(self.bin / args[0]), *args[1:]],
            cwd=cwd,
            capture_output=True,
            text=True,
            env=env,
            timeout=600,
        )
        assert done.returncode == expect, (args, done.returncode, done.stdout[-3000:], done.stderr[-3000:])
        return done.stdout


@pytest.mark.outoftree
def test_a_2018_plugin_made_edited_installed_and_used_out_of_tree(tmp_path: Path) -> None:
    before = _sources(ROOT / "src")
    venv = Venv(tmp_path / "venv")
    venv.install(_copy_of_the_project(tmp_path / "unionforms"))
    assert "site-packages" in venv.run(
        "python", "-c", "import unionforms; print(unionforms.__file__)", cwd=tmp_path
    )

    # 1. new-form from the installed (non-editable) unionforms; the package passes its own tests unedited
    package = tmp_path / "unionforms-songwennuan-2018"
    venv.run("unionforms", "new-form", "--from", "songwennuan-2017", "--id", "songwennuan-2018",
             "--dir", str(package), cwd=tmp_path)  # fmt: skip
    venv.install(package)
    venv.run("python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", "not libreoffice", cwd=package)

    # 2. the guide's edits; check warns about nothing left, and the old copy is still installed
    edit_to_2018(package)
    venv.run("unionforms", "check", str(package), cwd=tmp_path)
    shown = venv.run("unionforms", "show", "songwennuan-2018", "--json", cwd=tmp_path)
    assert "04H" not in {f["code"] for f in json.loads(shown)["fields"]}  # not reinstalled yet
    venv.install(package)  # a non-editable install must be repeated after edits
    shown = json.loads(venv.run("unionforms", "show", "songwennuan-2018", "--json", cwd=tmp_path))
    assert {"04H", "12"} <= {f["code"] for f in shown["fields"]}
    venv.run("python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", "not libreoffice", cwd=package)

    # 3. blank, fill, read, validate
    work = tmp_path / "work"
    work.mkdir()
    venv.run("unionforms", "blank", "songwennuan-2018", "-o", "blank.xlsx", cwd=work)
    values = {"04D": 950, "04E": 900, "04F": 2800, "04H": 3, "06": "40.00", "12": "12.50"}
    (work / "r2018.json").write_text(json.dumps({"form": "songwennuan-2018", "values": values}), "utf-8")
    venv.run("unionforms", "fill", "r2018.json", "-o", "r2018.xlsx", cwd=work)
    read = json.loads(venv.run("unionforms", "read", "r2018.xlsx", cwd=work))
    assert read["values"] == values  # a 万元 cell is read at its declared precision: 40 stored is 40.00
    out = venv.run("unionforms", "validate", "r2018.xlsx", "--json", cwd=work, expect=1)
    (checked,) = json.loads(out)["files"]
    assert [f["rule"] for f in checked["findings"]] == ["04E-part"]  # now 04F <= 04E: 2800 > 900

    # 4. diff against 2017 through the declared mapping, and compare a 2017 return with the 2018 one
    diff = json.loads(
        venv.run("unionforms", "diff", "songwennuan-2017", "songwennuan-2018", "--json", cwd=work)
    )
    assert diff["paired_by"] == "mapping"
    moved = {(c["old"][0], c["new"][0]) for c in diff["fields"] if c["kind"] == "moved"}
    assert moved == {("04D", "04E"), ("04E", "04F"), ("04F", "04G"), ("04G", "04H")}
    assert {c["new"][0] for c in diff["fields"] if c["kind"] == "added"} == {"04D", "12"}
    last = {"form": "songwennuan-2017", "values": {"04D": 900, "04E": 700, "04G": 3}}
    (work / "r2017.json").write_text(json.dumps(last), "utf-8")
    compared = json.loads(venv.run("unionforms", "compare", "r2017.json", "r2018.xlsx", "--json", cwd=work))
    lines = {tuple(x["last_codes"]): x for x in compared["lines"]}
    assert (lines[("04D",)]["this_codes"], lines[("04D",)]["change"]) == (["04E"], "0")
    assert lines[("04E",)]["jump"] and lines[("04E",)]["this"] == "2800"
    assert lines[("04G",)]["change"] == "0"
    new_12 = next(x for x in compared["lines"] if x["this_codes"] == ["12"])
    assert not new_12["comparable"] and new_12["note"] == "新增栏目，上年没有"

    assert _sources(ROOT / "src") == before  # no core file changed
