"""A report, once built, is a value: nothing can change it behind the checks that read it."""

from __future__ import annotations

import pickle

import pytest

from unionforms import Meta, Report, Source
from unionforms.core.values import ValueProblem


def test_a_report_cannot_change_after_it_is_built() -> None:
    report = Report("songwennuan-2017", Meta(unit="乐山市总工会"), {"01A": 5}, {"01A": "说明"})
    with pytest.raises(TypeError):
        report.values["01A"] = 6  # type: ignore[index]
    with pytest.raises(TypeError):
        report.explanations["01A"] = "别的"  # type: ignore[index]
    assert report.values == {"01A": 5} and dict(report.values) == {"01A": 5}
    same = Report("songwennuan-2017", Meta(unit="乐山市总工会"), {"01A": 5}, {"01A": "说明"})
    assert hash(report) == hash(same) and report == same
    assert pickle.loads(pickle.dumps(report)) == report  # as bulk workers send it


def test_where_a_report_came_from_and_a_value_problem_are_values_too() -> None:
    source = Source("a.xlsx", "表", {"01A": "D6"})
    with pytest.raises(TypeError):
        source.cells["01A"] = "D7"  # type: ignore[index]
    problem = ValueProblem("VAL-001", {"value": "x"})
    with pytest.raises(TypeError):
        problem.params["value"] = "y"  # type: ignore[index]
    assert hash(source) == hash(Source("a.xlsx", "表", {"01A": "D6"}))
