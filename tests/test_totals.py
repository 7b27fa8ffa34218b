"""Totals as files: JSON and the filled template with its 汇总来源 sheet read back, and nest a level up."""

from __future__ import annotations

from pathlib import Path

import pytest

from unionforms import Meta, Registry, Report
from unionforms.collect.aggregate import aggregate
from unionforms.collect.totals import collect, read_provenance, summary, write_json, write_xlsx
from unionforms.io.reading import read_report

from .returns import MAIN_FORM, Folder, make_folder


@pytest.fixture(scope="module")
def counties(tmp_path_factory: pytest.TempPathFactory, registry: Registry) -> list[Folder]:
    root = tmp_path_factory.mktemp("counties")
    return [
        make_folder(root / f"县{i}", registry, 12, seed=i, other_share=0.0, prefix=f"{i}区") for i in range(3)
    ]


def test_a_total_reads_back_as_its_report_and_provenance(
    tmp_path: Path, registry: Registry, counties: list[Folder]
) -> None:
    total = aggregate(collect([str(counties[0].root)], registry=registry), registry, unit="甲县总工会")
    for path in (write_xlsx(total, tmp_path / "t.xlsx"), write_json(total, tmp_path / "t.json")):
        back = read_report(path, registry)
        assert back.report == total.report
        assert back.findings == ()
        assert read_provenance(path) == total.provenance


def test_county_totals_add_up_to_the_city_total_of_everything(
    tmp_path: Path, registry: Registry, counties: list[Folder]
) -> None:
    files = []
    for i, county in enumerate(counties):
        total = aggregate(collect([str(county.root)], registry=registry), registry, unit=f"第{i}县汇总")
        writer = write_xlsx if i % 2 else write_json
        files.append(str(writer(total, tmp_path / f"县{i}.{'xlsx' if i % 2 else 'json'}")))
    # A total of valid returns can break a rule that skips blanks (one county's 04B without its 04A),
    # so the city adds the county totals with their findings; the leaves were judged in each county.
    city = aggregate(collect(files, registry=registry), registry, unit="市总工会", include_errors=True)
    # everything at once, as each county included it (duplicates of each county are per county)
    flat = aggregate(collect([str(c.root) for c in counties], registry=registry), registry, unit="市总工会")
    assert city.report == flat.report
    assert city.provenance.inputs == 3
    assert sorted(i.file for i in city.provenance.leaves()) == sorted(
        i.file for i in flat.provenance.leaves()
    )
    for item in city.provenance.included:
        assert item.provenance is not None
        assert item.provenance.inputs == counties[0].inputs or item.provenance.inputs > 0


def test_an_ordinary_return_has_no_provenance(
    tmp_path: Path, registry: Registry, counties: list[Folder]
) -> None:
    assert read_provenance(counties[0].valid[0]) is None
    form = registry.get(MAIN_FORM)
    path = tmp_path / "r.json"
    write = Report(form.id, Meta(unit="x"), {})
    from unionforms.io.jsonio import dumps

    path.write_text(dumps(write), encoding="utf-8")
    assert read_provenance(path) is None


def test_a_total_whose_provenance_cannot_be_read_is_unusable_in_aggregate_and_export(
    tmp_path: Path, registry: Registry, counties: list[Folder]
) -> None:
    """One IN-074 for both commands: the total's report reads, its provenance does not."""
    import json

    from unionforms.collect.batch import expand
    from unionforms.collect.export import returns_from_inputs
    from unionforms.core.errors import InputError
    from unionforms.io.summary import Unusable

    total = aggregate(collect([str(counties[0].root)], registry=registry), registry, unit="甲县总工会")
    path = write_json(total, tmp_path / "t.json")
    good = json.loads(path.read_text(encoding="utf-8"))
    forgeries = {  # not a list; a negative tally; a completeness that does not add up
        "included": "not a list",
        "flags": {"11": {"yes": -3, "no": 1}},
        "completeness": {"roster": "名录.xlsx", "expected": 30, "reported": 29, "missing": []},
    }
    for key, forged in forgeries.items():
        data = json.loads(json.dumps(good))
        data["provenance"][key] = forged
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        with pytest.raises(InputError) as info:
            read_provenance(path)
        assert info.value.code == "IN-074" and info.value.file == str(path), key
        [result] = collect([str(path)], registry=registry)
        assert result.code == "IN-074" and not result.usable, key
        [item] = returns_from_inputs(expand([str(path)], registry), registry)
        assert isinstance(item, Unusable) and item.code == "IN-074", key


def test_totals_go_up_twelve_levels_and_a_province_of_thousands(registry: Registry, tmp_path: Path) -> None:
    """A total of 9,000 returns (over the 1 MiB a return may take) and twelve levels of totals, each
    adding the one below and a return of its own, read back whole: nothing left out by a bound."""
    import attrs

    from unionforms.collect.aggregate import Included, Provenance, Total
    from unionforms.collect.batch import State

    form = registry.get(MAIN_FORM)
    leaves = tuple(
        Included(f"县/第{i:05d}县总工会.json", f"第{i:05d}县总工会", form.id, State.OK) for i in range(9000)
    )
    big = Total(form, Report(form.id, Meta(unit="某省总工会"), {"01A": 9000}), Provenance(leaves), ())
    path = write_json(big, tmp_path / "省.json")
    assert path.stat().st_size > 1024 * 1024
    provenance = read_provenance(path)
    assert provenance is not None and len(provenance.included) == 9000
    below = path
    for level in range(12):
        own = tmp_path / f"level{level}.json"
        own.write_text(
            f'{{"form": "{form.id}", "meta": {{"unit": "第{level}级本级"}}, "values": {{"01A": 1}}}}',
            encoding="utf-8",
        )
        results = list(collect([str(below), str(own)], registry=registry))
        assert all(r.usable for r in results), [r.reason for r in results]
        total = aggregate(results, registry, unit=f"第{level}级", form=form.id, include_errors=True)
        assert len(total.provenance.included) == 2, total.provenance.rejected
        below = write_json(total, tmp_path / f"total{level}.json")
    final = read_report(below, registry)
    assert final.report.values["01A"] == 9000 + 12
    provenance = read_provenance(below)
    assert provenance is not None and len(provenance.leaves()) == 9000 + 12
    assert attrs.has(type(provenance))


def test_a_total_saved_among_its_own_returns_is_not_counted_again(registry: Registry, tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "县", registry, 12, seed=5)
    first = aggregate(collect([str(folder.root)], registry=registry), registry, unit="某市", form=MAIN_FORM)
    write_json(first, folder.root / "某市汇总.json")  # saved beside the returns it was made of
    again = aggregate(collect([str(folder.root)], registry=registry), registry, unit="某市", form=MAIN_FORM)
    assert again.report.values == first.report.values
    [rejected] = [r for r in again.provenance.rejected if r.file.endswith("某市汇总.json")]
    assert rejected.code == "AGG-008" and "县总工会" in rejected.reason
    # the total alone, or with returns it does not hold, is added up as before
    alone = aggregate(collect([str(folder.root / "某市汇总.json")], registry=registry), registry, unit="某省")
    assert alone.report.values == first.report.values


def test_a_total_carries_its_header_and_its_provenance_prints_fitted(
    tmp_path: Path, registry: Registry, counties: list[Folder]
) -> None:
    import datetime

    import openpyxl

    from unionforms.cli import main
    from unionforms.collect.totals import SHEET

    out = tmp_path / "t.xlsx"
    argv = ["aggregate", str(counties[0].root), "--unit", "甲县总工会", "--filled-by", "李四"]
    code = main([*argv, "--phone", "0833-2134567", "--date", "2017年1月20日", "-o", str(out), "--quiet"])
    assert code in (0, 1)
    meta = read_report(out, registry).report.meta
    assert meta == Meta("甲县总工会", "李四", "0833-2134567", datetime.date(2017, 1, 20))
    ws = openpyxl.load_workbook(out)[SHEET]
    setup = ws.page_setup
    assert (setup.orientation, setup.fitToWidth, setup.fitToHeight) == ("portrait", 1, 0)
    assert all(ws[f"{col}3"].alignment.wrap_text for col in "CDEH")
    provenance = read_provenance(out)
    assert provenance is not None
    # what prints is the summary in column J: counts, the units counted, those left out by code
    area = str(ws.print_area).rpartition("!")[2].replace("$", "")
    printed = [c.value for row in ws[area] for c in row]
    assert printed == summary(
        aggregate(collect([str(counties[0].root)], registry=registry), registry, unit="甲县总工会")
    )
    text = "".join(printed)
    counted, left = len(provenance.included), len(provenance.rejected)
    assert f"输入 {provenance.inputs} 份：计入 {counted} 份，未计入 {left} 份" in text
    assert all(i.unit in text for i in provenance.included if i.unit)
    assert all((r.code or "跳过") in text for r in provenance.rejected)
    column_a = [c.value for c in ws["A"]]
    assert ("是/否栏目" in column_a) == bool(provenance.flags)  # the 是/否 block only with tallies
    bad = tmp_path / "x.xlsx"
    assert main(["aggregate", str(counties[0].root), "--unit", "甲", "--date", "明天", "-o", str(bad)]) == 2
    assert not bad.exists()
