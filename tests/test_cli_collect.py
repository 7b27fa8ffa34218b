"""End to end, as in January: a folder of returns validated with a report workbook, annotated and added up,
one command each, and every input accounted for in every output."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from unionforms import Registry
from unionforms.cli import main
from unionforms.collect.totals import SHEET, read_provenance
from unionforms.excel.findings_book import FINDING_SHEET, INPUT_SHEET
from unionforms.excel.layout import plan
from unionforms.io.reading import read_report

from .returns import MAIN_FORM, Folder, make_folder

SKIP_CODES = ("IN-076", "IN-077", "IN-078", "IN-079")


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory, registry: Registry) -> Folder:
    return make_folder(tmp_path_factory.mktemp("january") / "returns", registry, 40)


def test_january(
    folder: Folder, tmp_path: Path, registry: Registry, capsys: pytest.CaptureFixture[str]
) -> None:
    inputs = {str(p) for p in folder.root.rglob("*") if p.is_file()}
    assert len(inputs) == folder.inputs

    # 1. validate, with the report workbook and the annotated copies
    book, outdir = tmp_path / "审核结果.xlsx", tmp_path / "退回修改"
    code, out, _ = _run(
        capsys,
        "validate",
        str(folder.root),
        "--json",
        "--report",
        str(book),
        "--annotate",
        str(outdir),
        "--jobs",
        "2",
    )
    assert code == 2  # some inputs are unusable
    data = json.loads(out)
    assert {f["file"] for f in data["files"]} == inputs
    summary = data["summary"]
    assert summary["inputs"] == len(inputs) == sum(v for k, v in summary.items() if k != "inputs")
    assert summary["unusable"] == len(folder.unusable) and summary["skipped"] == len(folder.skipped)
    assert summary["errors"] == len(folder.broken)
    by_file = {f["file"]: f for f in data["files"]}
    for path in folder.unusable:
        assert by_file[str(path)]["code"].startswith("IN-")

    wb = openpyxl.load_workbook(book, read_only=True)
    rows = list(wb[INPUT_SHEET].iter_rows(min_row=2, values_only=True))
    assert {r[1] for r in rows} == inputs
    finding_rows = list(wb[FINDING_SHEET].iter_rows(min_row=2, values_only=True))
    assert len(finding_rows) == sum(len(f["findings"]) for f in data["files"])
    wb.close()

    with_findings = {f["file"] for f in data["files"] if f["findings"]}
    copies = {str(p) for p in outdir.rglob("*.xlsx")}
    assert len(copies) == len(with_findings) and with_findings
    assert {f["annotated"] for f in data["files"] if f["findings"]} == copies

    # 2. a filler corrects an annotated copy: it reads like any return, with its 审核结果 sheet first
    broken = next(p for p in folder.broken if p.suffix == ".xlsx")
    copy = outdir / broken.relative_to(folder.root)
    wb = openpyxl.load_workbook(copy)
    assert wb.sheetnames[0] == "审核结果"
    form = registry.get(MAIN_FORM)
    before = read_report(copy, registry)
    assert before.report == read_report(broken, registry).report
    marked = [f for f in by_file[str(broken)]["findings"] if f["cells"] and f["severity"] == "error"]
    cell = wb[plan(form).sheet][marked[0]["cells"][0]]
    assert cell.fill.fgColor.rgb == "FFFFC7CE"

    # 3. aggregate, with full provenance, to JSON and to the workbook with its 汇总来源 sheet
    total_json, total_xlsx = tmp_path / "total.json", tmp_path / "total.xlsx"
    code, out, _ = _run(
        capsys, "aggregate", str(folder.root), "--unit", "某市总工会", "-o", str(total_json), "--json"
    )
    assert code in (0, 1)
    result = json.loads(out)
    provenance = result["provenance"]
    included = {i["file"] for i in provenance["included"]}
    rejected = {r["file"]: r for r in provenance["rejected"]}
    assert included | set(rejected) == inputs and not included & set(rejected)
    assert provenance["inputs"] == len(inputs) == result["included"] + result["rejected"]
    assert rejected[str(folder.duplicate)]["code"] == "AGG-003"
    for path in folder.broken:
        assert rejected[str(path)]["code"] == "AGG-001"
    for path in folder.other_form:
        assert rejected[str(path)]["code"] == "AGG-002"
    for path in folder.unusable:
        assert rejected[str(path)]["code"].startswith("IN-")
    for path in folder.skipped:
        assert rejected[str(path)]["code"] in SKIP_CODES and rejected[str(path)]["reason"]
    assert included == {str(p) for p in folder.valid}

    code, _, _ = _run(capsys, "aggregate", str(folder.root), "--unit", "某市总工会", "-o", str(total_xlsx))
    assert code in (0, 1)
    assert read_report(total_xlsx, registry).report == read_report(total_json, registry).report
    assert read_provenance(total_xlsx) == read_provenance(total_json)
    assert SHEET in openpyxl.load_workbook(total_xlsx, read_only=True).sheetnames


def test_outputs_never_replace_inputs(folder: Folder, capsys: pytest.CaptureFixture[str]) -> None:
    victim = folder.valid[0]
    before = victim.read_bytes()
    code, _, err = _run(capsys, "aggregate", str(folder.root), "--unit", "x", "-o", str(victim))
    assert code == 2 and "OUT-001" in err
    code, _, err = _run(capsys, "validate", str(folder.root), "--report", str(victim))
    assert code == 2 and "OUT-001" in err
    assert victim.read_bytes() == before


def test_fill_many_in_one_call(
    tmp_path: Path, registry: Registry, capsys: pytest.CaptureFixture[str]
) -> None:
    reports = tmp_path / "reports"
    reports.mkdir()
    for i in range(3):
        (reports / f"r{i}.json").write_text(
            json.dumps({"form": "bangfu-2016", "meta": {"unit": f"单位{i}"}, "values": {"01": i}}),
            encoding="utf-8",
        )
    (reports / "bad.json").write_text("{", encoding="utf-8")
    code, out, _ = _run(capsys, "fill", str(reports), "-o", str(tmp_path / "out"), "--json")
    assert code == 2
    data = json.loads(out)
    assert data["summary"] == {"inputs": 4, "ok": 3, "warnings": 0, "errors": 0, "unusable": 1, "skipped": 0}
    for i in range(3):
        assert read_report(tmp_path / "out" / f"r{i}.xlsx", registry).report.values == {"01": i}
    code, _, _ = _run(capsys, "fill", str(reports / "r1.json"), "-o", str(tmp_path / "one.xlsx"))
    assert code == 0 and (tmp_path / "one.xlsx").is_file()


def test_validate_without_outputs_never_imports_openpyxl(folder: Folder) -> None:
    import subprocess
    import sys

    code = (
        "import sys, io\n"
        "from unionforms.cli import main\n"
        "sys.stdout = io.StringIO()\n"
        f"main(['validate', {str(folder.root)!r}])\n"
        f"main(['validate', {str(folder.root)!r}, '--json', '--jobs', '2'])\n"
        "assert 'openpyxl' not in sys.modules, 'openpyxl was imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr[-2000:]


def test_an_existing_report_or_total_is_kept_unless_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    returns = tmp_path / "returns"
    returns.mkdir()
    for unit, n in (("甲县总工会", 10), ("乙县总工会", 20)):
        report = {"form": MAIN_FORM, "meta": {"unit": unit}, "values": {"01A": n, "01B": n // 2}}
        (returns / f"{unit}.json").write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
    book, total = tmp_path / "审核.xlsx", tmp_path / "total.json"
    for argv in (
        ("validate", str(returns), "--report", str(book)),
        ("aggregate", str(returns), "--unit", "某市总工会", "-o", str(total)),
    ):
        assert _run(capsys, *argv)[0] == 0
        kept = Path(argv[-1]).read_bytes()
        code, _, err = _run(capsys, *argv)
        assert code == 2 and "OUT-002" in err
        assert Path(argv[-1]).read_bytes() == kept
        assert _run(capsys, *argv, "--force")[0] == 0


def test_same_names_from_two_folders_keep_both_outputs(
    tmp_path: Path, registry: Registry, capsys: pytest.CaptureFixture[str]
) -> None:
    """甲.json from two counties: neither the filled templates nor the annotated copies replace each other."""
    for county, value in (("一县", 1), ("二县", 2)):
        (tmp_path / county).mkdir()
        report = {
            "form": "songwennuan-2017",
            "meta": {"unit": county},
            "values": {"01A": 10, "01B": 50 + value},
        }
        (tmp_path / county / "甲.json").write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
    sources = [str(tmp_path / c / "甲.json") for c in ("一县", "二县")]
    code, out, _ = _run(capsys, "fill", *sources, "-o", str(tmp_path / "filled"), "--json")
    assert code == 0
    written = [f["written"] for f in json.loads(out)["files"]]
    assert written == [str(tmp_path / "filled" / "甲.xlsx"), str(tmp_path / "filled" / "甲 (2).xlsx")]
    assert [read_report(w, registry).report.meta.unit for w in written] == ["一县", "二县"]
    code, out, _ = _run(capsys, "validate", *sources, "--annotate", str(tmp_path / "marked"), "--json")
    assert code in (0, 1)
    copies = [f["annotated"] for f in json.loads(out)["files"]]
    assert copies == [str(tmp_path / "marked" / "甲.xlsx"), str(tmp_path / "marked" / "甲 (2).xlsx")]
    assert [read_report(c, registry).report.meta.unit for c in copies] == ["一县", "二县"]


def test_fill_never_writes_over_another_input_even_through_a_hard_link(
    tmp_path: Path, registry: Registry, capsys: pytest.CaptureFixture[str]
) -> None:
    """With --force too: out/r0.xlsx is a hard link to the input x.xlsx, so filling r0 there is OUT-001."""
    import os

    reports = tmp_path / "in"
    reports.mkdir()
    (reports / "r0.json").write_text(
        json.dumps({"form": "bangfu-2016", "meta": {"unit": "单位0"}, "values": {"01": 1}}), encoding="utf-8"
    )
    code, _, _ = _run(capsys, "fill", str(reports / "r0.json"), "-o", str(reports / "x.xlsx"))
    assert code == 0
    before = (reports / "x.xlsx").read_bytes()
    (tmp_path / "out").mkdir()
    os.link(reports / "x.xlsx", tmp_path / "out" / "r0.xlsx")
    code, out, _ = _run(capsys, "fill", str(reports), "-o", str(tmp_path / "out"), "--force", "--json")
    files = {Path(f["file"]).name: f for f in json.loads(out)["files"]}
    assert code == 2 and files["r0.json"]["code"] == "OUT-001"
    assert (reports / "x.xlsx").read_bytes() == before


def test_an_annotated_copy_never_replaces_another_input(
    tmp_path: Path, registry: Registry, capsys: pytest.CaptureFixture[str]
) -> None:
    """--annotate into the folder being checked: 甲.json's copy would be 甲.xlsx, which is another input."""
    folder = tmp_path / "returns"
    folder.mkdir()
    broken = {"form": "songwennuan-2017", "meta": {"unit": "甲"}, "values": {"01A": 10, "01B": 50}}
    (folder / "甲.json").write_text(json.dumps(broken, ensure_ascii=False), encoding="utf-8")
    code, _, _ = _run(capsys, "fill", str(folder / "甲.json"), "-o", str(folder / "甲.xlsx"))
    assert code == 0
    before = (folder / "甲.xlsx").read_bytes()
    code, out, _ = _run(capsys, "validate", str(folder), "--annotate", str(folder), "--json")
    files = {Path(f["file"]).name: f for f in json.loads(out)["files"]}
    assert files["甲.json"]["findings"] and files["甲.json"]["annotated"] is None
    assert (folder / "甲.xlsx").read_bytes() == before
