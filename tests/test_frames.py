"""`unionforms.to_frame`: the exported columns as a pandas DataFrame, values exact."""

from __future__ import annotations

from decimal import Decimal

import pytest

import unionforms
from unionforms import Meta, Registry, Report
from unionforms.core.findings import status_of
from unionforms.core.validate import validate
from unionforms.io.tables import LONG_COLUMNS, wide_columns

pd = pytest.importorskip("pandas", reason="pandas is optional (pip install unionforms[pandas])")


def test_long_and_wide_frames_have_the_export_columns_and_exact_values(registry: Registry) -> None:
    form = registry.get("bangfu-2016")
    codes = list(form.fields)
    money = next(f.code for f in form.iter_fields() if f.unit == "万元")
    flag = next(f.code for f in form.iter_fields() if f.unit == "是/否")
    reports = [
        Report(form.id, Meta(unit="甲"), {codes[0]: 3, money: Decimal("0.10"), flag: True}),
        Report(form.id, Meta(unit="乙"), {codes[0]: 4}),
    ]
    long = unionforms.to_frame(reports)
    assert list(long.columns) == list(LONG_COLUMNS)
    assert len(long) == 4
    values = dict(zip(long["code"], long["value"], strict=True))
    assert values[money] == Decimal("0.10") and isinstance(values[money], Decimal)
    assert values[flag] is True
    wide = unionforms.to_frame(reports, wide=True)
    assert list(wide.columns) == wide_columns(form)
    assert wide[codes[0]].tolist() == [3, 4]
    assert wide.loc[1, money] is None  # a blank is not a zero
    expected = [status_of(validate(form, r)) for r in reports]
    assert wide["status"].tolist() == expected and long["status"].tolist()[-1] == expected[-1]
