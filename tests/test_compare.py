"""Year over year on real filled templates: 2014 → 2017 送温暖 and 2013 → 2016 帮扶中心."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from unionforms import Meta, Registry, Report
from unionforms.authoring.compare import DEFAULT_JUMP, compare
from unionforms.authoring.mapping import FormMapping, find_mapping
from unionforms.core.report import ReadResult
from unionforms.core.validate import typed_values
from unionforms.core.values import Value
from unionforms.excel.fill import fill
from unionforms.io import jsonio
from unionforms.io.reading import read_report


def _filled(tmp_path: Path, registry: Registry, form_id: str, values: dict[str, object]) -> Path:
    """A template of ``form_id`` written with ``values`` and read back as a user's file would be."""
    form = registry.get(form_id)
    path = tmp_path / f"{form_id}.xlsx"
    fill(form, Report(form_id, Meta(unit="乐山市总工会"), values), path)
    return path


def _typed(result: ReadResult) -> dict[str, Value]:
    return typed_values(result.form, result.report)[0]


def test_songwennuan_2014_to_2017_on_filled_templates(tmp_path: Path, registry: Registry) -> None:
    last = read_report(
        _filled(
            tmp_path,
            registry,
            "songwennuan-2014",
            {
                "01A.1": 52000,
                "01A.2": 21000,
                "04C.1": 900,
                "04C.2": 700,
                "05": Decimal("320.00"),
                "05A": Decimal("120.00"),
                "05B": Decimal("150.00"),
                "05C": Decimal("30.00"),
                "05D": Decimal("20.00"),
                "08A.1": 40,
                "10B.2": 300,
            },
        ),
        registry,
    )
    this = read_report(
        _filled(
            tmp_path,
            registry,
            "songwennuan-2017",
            {
                "01A": 53000,
                "01B": 21500,
                "04D": 950,
                "04E": 2800,  # four times the 700 of 2014: a jump
                "05": Decimal("330.00"),
                "05A": Decimal("80.00"),
                "05B": Decimal("40.00"),
                "05C": Decimal("160.00"),
                "05D": Decimal("30.00"),
                "05E": Decimal("20.00"),
                "08A": 45,
            },
        ),
        registry,
    )
    mapping = find_mapping(registry, last.form, this.form)
    assert mapping is not None
    result = compare(mapping, last.form, _typed(last), this.form, _typed(this))
    lines = {line.entry.old: line for line in result.lines if line.entry.old}
    assert lines[("01A.2",)].entry.new == ("01B",) and lines[("01A.2",)].change == 500
    assert lines[("05A",)].last == Decimal("120.00") and lines[("05A",)].this == Decimal("120.00")  # split
    assert lines[("05A",)].change == 0
    assert lines[("05B",)].this == Decimal("160.00")  # 工会投入 → 工会经费
    assert lines[("04C.2",)].jump and not lines[("04C.1",)].jump
    assert not lines[("08A.1",)].comparable and lines[("08A.1",)].note == "本年不再填报"
    assert not lines[("10B.2",)].comparable and "本年未填" in lines[("10B.2",)].note
    new_08a = next(line for line in result.lines if line.entry.new == ("08A",))
    assert new_08a.note == "新增栏目，上年没有"
    (warning,) = result.findings
    assert warning.code == "CMP-001" and "04E" in warning.message and warning.fields == ("04E",)
    text = result.text()
    assert "04C.2 → 04E 其中困难职工：700 → 2800 户 +2100（+300.0%）  ⚠ 变化异常" in text
    assert "不能比较：" in text and "  08A.1 → — 为___名权益受损的职工开展维权工作：本年不再填报" in text
    blank = sum(line.note == "两年都未填" for line in result.lines)
    assert f"另有 {blank} 行两年都未填" in text and "：两年都未填" not in text
    data = json.loads(json.dumps(result.to_dict(), ensure_ascii=False))
    assert data["jump"] == "3"
    split = next(d for d in data["lines"] if d["last_codes"] == ["05A"])
    assert (split["kind"], split["this_codes"], split["last"], split["this"]) == (
        "split",
        ["05A", "05B"],
        "120.00",  # the workbook stores 120; a 万元 cell is read at its declared precision
        "120.00",
    )


def test_bangfu_2013_to_2016_on_filled_templates(tmp_path: Path, registry: Registry) -> None:
    last = read_report(
        _filled(tmp_path, registry, "bangfu-2013", {"01A": 5, "01B": 1, "05B": True, "08K": 40}), registry
    )
    this = read_report(
        _filled(tmp_path, registry, "bangfu-2016", {"01": 6, "01A": 1, "06B": False, "09U": 20}), registry
    )
    mapping = find_mapping(registry, last.form, this.form)
    assert mapping is not None
    result = compare(mapping, last.form, _typed(last), this.form, _typed(this))
    lines = {line.entry.new: line for line in result.lines if line.entry.new}
    assert lines[("01",)].change == 1 and lines[("01A",)].change == 0
    assert lines[("06B",)].last is True and lines[("06B",)].this is False and lines[("06B",)].change is None
    assert lines[("09U",)].percent == Decimal("-50.0") and not lines[("09U",)].jump


def test_the_same_form_in_two_years_and_aggregates(tmp_path: Path, registry: Registry) -> None:
    """An aggregate is a report JSON of the form; two of them compare through the identity mapping."""
    form = registry.get("songwennuan-2017")
    paths = []
    for name, values in (("2017.json", {"01A": 100, "03A": 0}), ("2018.json", {"01A": 100, "03A": 5})):
        path = tmp_path / name
        path.write_text(jsonio.dumps(Report(form.id, Meta(), values)), encoding="utf-8")
        paths.append(path)
    last, this = (read_report(p, registry) for p in paths)
    result = compare(FormMapping.identity(form), form, _typed(last), form, _typed(this))
    jumps = [line.entry.new for line in result.lines if line.jump]
    assert jumps == [("03A",)]  # from 0 to 5
    assert result.lines[0].change == 0


def test_the_jump_threshold_is_settable_and_checked(registry: Registry) -> None:
    form = registry.get("songwennuan-2017")
    identity = FormMapping.identity(form)
    flagged = compare(identity, form, {"01A": 100}, form, {"01A": 160}, jump=Decimal("1.5"))
    assert flagged.lines[0].jump
    assert not compare(identity, form, {"01A": 100}, form, {"01A": 160}).lines[0].jump
    assert DEFAULT_JUMP == 3
    with pytest.raises(ValueError, match="above 1"):
        compare(identity, form, {}, form, {}, jump=Decimal(1))
