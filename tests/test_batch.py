"""Many inputs: expansion accounts for every path, one result per input, jobs change nothing but speed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.returns import check_paths
from unionforms import Registry
from unionforms.collect import batch
from unionforms.collect.batch import Check, Input, Result, State, expand, run_bulk, skipped

from .returns import Folder, make_folder


def _touch(path: Path, data: bytes = b"x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_expand_finds_returns_recursively_and_skips_with_reasons(tmp_path: Path) -> None:
    a = _touch(tmp_path / "a.xlsx")
    b = _touch(tmp_path / "sub" / "b.JSON")
    lock = _touch(tmp_path / "sub" / "~$b.xlsx")
    hidden = _touch(tmp_path / ".hidden.xlsx")
    _touch(tmp_path / ".git" / "config")
    other = _touch(tmp_path / "notes.txt")
    old = _touch(tmp_path / "old.xls")
    items = {Path(i.path): i for i in expand([str(tmp_path)])}
    assert items[a].skipped is None and items[b].skipped is None and items[old].skipped is None
    assert items[lock].skipped == "IN-076"
    assert "锁定" in (skipped(items[lock]).reason or "")
    assert items[hidden].skipped == items[tmp_path / ".git"].skipped == "IN-077"
    assert "隐藏" in (skipped(items[hidden]).reason or "")
    assert items[other].skipped is not None
    assert tmp_path / ".git" / "config" not in items  # a hidden folder is listed once, not searched
    assert items[b].relative == Path("sub") / "b.JSON"


def test_expand_lists_a_file_once_and_expands_patterns(tmp_path: Path) -> None:
    a = _touch(tmp_path / "a.xlsx")
    _touch(tmp_path / "b.xlsx")
    items = expand([str(a), str(tmp_path / "*.xlsx"), str(tmp_path / "nothing-*.json")])
    assert [Path(i.path).name for i in items] == ["a.xlsx", "a.xlsx", "b.xlsx", "nothing-*.json"]
    assert items[0].skipped is None
    assert items[1].skipped == "IN-079"
    assert "已经列出" in (skipped(items[1]).reason or "")
    assert items[2].skipped is None and items[3].skipped is None  # no match: reading it says IN-001


def test_a_file_found_again_through_a_link_is_listed_once(tmp_path: Path) -> None:
    a = _touch(tmp_path / "a.xlsx")
    os.link(a, tmp_path / "b.xlsx")  # a hard link: the same file under another name
    (tmp_path / "c.xlsx").symlink_to(a)
    items = expand([str(tmp_path), str(tmp_path / "none.xlsx")])
    assert [(Path(i.path).name, i.skipped) for i in items] == [
        ("a.xlsx", None),
        ("b.xlsx", "IN-079"),
        ("c.xlsx", "IN-079"),
        ("none.xlsx", None),  # reading it says IN-001
    ]


def test_a_missing_path_is_unusable_not_an_exception(registry: Registry, tmp_path: Path) -> None:
    (result,) = check_paths([str(tmp_path / "nope.xlsx")], registry=registry)
    assert result.state is State.UNUSABLE
    assert result.code == "IN-001"


def test_an_unexpected_exception_becomes_an_unusable_result(tmp_path: Path) -> None:
    class Broken(Check):
        def _check(self, path: str) -> Result:
            raise ZeroDivisionError("boom")

    (result,) = run_bulk(Broken(), [Input(str(tmp_path / "x.xlsx"))])
    assert result.state is State.UNUSABLE
    assert result.code == "IN-094"
    assert result.detail == "ZeroDivisionError: boom" and "意外" in (result.reason or "")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory, registry: Registry) -> Folder:
    return make_folder(tmp_path_factory.mktemp("returns") / "in", registry, 40)


def test_every_input_ends_in_the_state_it_was_made_for(registry: Registry, folder: Folder) -> None:
    results = {Path(r.file): r for r in check_paths([str(folder.root)], registry=registry)}
    assert len(results) == folder.inputs
    for path in folder.valid:
        assert results[path].state in (State.OK, State.WARNINGS), path
    for path in folder.broken:
        assert results[path].state is State.ERRORS
        assert any(f.code == "CHK-001" for f in results[path].findings)
    for path in folder.unusable:
        assert results[path].state is State.UNUSABLE
        assert (results[path].code or "").startswith("IN-")
    for path in folder.skipped:
        assert results[path].state is State.SKIPPED and results[path].reason
    assert results[folder.duplicate].state in (State.OK, State.WARNINGS)


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs two processes")
def test_jobs_give_the_same_results_in_the_same_order(registry: Registry, folder: Folder) -> None:
    one = list(check_paths([str(folder.root)], registry=registry))
    two = list(check_paths([str(folder.root)], registry=registry, jobs=2))
    assert one == two


def test_output_paths_never_share_a_file(tmp_path: Path) -> None:
    a = _touch(tmp_path / "一" / "甲.xlsx")
    b = _touch(tmp_path / "二" / "甲.XLSX")
    c = _touch(tmp_path / "二" / "甲.json")
    d = _touch(tmp_path / "二" / "sub" / "乙.json")
    inputs = expand([str(a), str(tmp_path / "二")])
    paths = batch.output_paths(inputs, tmp_path / "out")
    out = tmp_path / "out"
    assert paths[str(a)] == out / "甲.xlsx"  # the first keeps its name
    assert paths[str(d)] == out / "sub" / "乙.xlsx"
    assert {paths[str(b)], paths[str(c)]} == {out / "甲 (2).xlsx", out / "甲 (3).xlsx"}
    names = [os.path.normcase(str(p)).casefold() for p in paths.values()]
    assert len(names) == len(set(names)) == 4
    assert batch.output_paths(inputs, out) == paths  # the same inputs, the same names


def test_a_table_is_one_input_per_return_and_every_row_is_accounted_for(
    tmp_path: Path, registry: Registry
) -> None:
    form = registry.get("songwennuan-2017")
    rows = [
        "unit,form,year,01A,01B",
        f"甲县总工会,{form.id},2017,100,10",
        f"乙县总工会,{form.id},2017,1,2",  # 01B > 01A: an error, found in its row
        ",,,5,6",  # no form: this row alone is unusable, named by its row number
        f"丙县总工会,{form.id},2017,7,1,extra",  # more cells than columns
        f"丁县总工会,{form.id},2017,abc,1",  # a value that is no count: a finding at its cell
    ]
    table = _touch(tmp_path / "figures.csv", ("\n".join(rows) + "\n").encode("utf-8"))
    _touch(tmp_path / "empty.csv", b"unit,form,01A\n")
    results = list(check_paths([str(table), str(tmp_path / "empty.csv")], registry=registry))
    assert [(r.file, r.state, r.code) for r in results] == [
        (f"{table}#row 2", State.OK, None),
        (f"{table}#row 3", State.ERRORS, None),
        (f"{table}#row 4", State.UNUSABLE, "IN-080"),
        (f"{table}#row 5", State.UNUSABLE, "IN-081"),
        (f"{table}#row 6", State.ERRORS, None),
        (str(tmp_path / "empty.csv"), State.UNUSABLE, "IN-085"),
    ]
    assert [r.unit for r in results[:2]] == ["甲县总工会", "乙县总工会"]
    assert results[4].findings[0].cells == ("D6",)
    items = expand([str(table)], registry)
    assert {i.file for i in items} == {str(table)} and items[0].relative == Path("figures#row 2")


def test_a_workbook_that_is_neither_template_nor_table_says_so(tmp_path: Path, registry: Registry) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["名称", "数量"])
    wb.save(tmp_path / "other.xlsx")
    [result] = check_paths([str(tmp_path / "other.xlsx")], registry=registry)
    assert result.state is State.UNUSABLE and result.code == "IN-030"


def test_folders_are_walked_whole_links_once_loops_and_links_out_skipped(
    tmp_path: Path, registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every file under a folder is an input, reached through links too; nothing vanishes unaccounted."""
    top, outside = tmp_path / "收回", tmp_path / "别处"
    (top / "甲").mkdir(parents=True)
    (top / "乙").mkdir()
    outside.mkdir()
    for path in (top / "甲" / "a.json", top / "乙" / "b.json", outside / "c.json"):
        path.write_text('{"form": "songwennuan-2017", "values": {}}', encoding="utf-8")
    real = tmp_path / "链接的" / "丙"
    real.mkdir(parents=True)
    (real / "d.json").write_text("{}", encoding="utf-8")
    (top / "丙").symlink_to(real)  # a link to a folder outside: skipped, named
    (top / "甲" / "回环").symlink_to(top)  # a loop
    (top / "乙二").symlink_to(top / "乙")  # a second way into a folder walked
    (top / "坏").symlink_to(tmp_path / "不存在")  # a dangling link: a file that cannot be read
    inputs = expand([str(top)])
    by_name = {os.path.relpath(i.path, top): i for i in inputs}
    assert by_name["甲/a.json"].skipped is None and by_name["乙/b.json"].skipped is None
    assert by_name["丙"].skipped == "IN-086"
    assert by_name["甲/回环"].skipped == "IN-087" and by_name["乙二"].skipped == "IN-087"
    assert by_name["坏"].skipped == "IN-078"  # no extension: listed, not read
    assert len(inputs) == 6
    # a folder that cannot be listed is an unusable input of its own (root reads every folder: the
    # refusal is the operating system's, stood in for here)
    real_scandir = os.scandir

    def refusing(path: str) -> object:
        if str(path).endswith("乙"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", refusing)
    results = {r.file: r for r in run_bulk(Check(registry), expand([str(top)]))}
    refused = results[str(top / "乙")]
    assert refused.state is State.UNUSABLE and refused.code == "IN-088"
    assert str(top / "乙" / "b.json") not in results


def test_a_link_that_cannot_be_followed_is_an_unusable_input(tmp_path: Path, registry: Registry) -> None:
    proc = Path("/proc/1/cwd")
    if not os.path.lexists(proc):
        pytest.skip("no /proc here")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "proc").symlink_to(proc)
    results = list(run_bulk(Check(registry), expand([str(tmp_path / "in")])))
    assert len(results) == 1 and results[0].state in (State.UNUSABLE, State.SKIPPED)
