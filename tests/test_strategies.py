"""The shipped Hypothesis strategies: complete reports, and arguments checked up front.

That valid reports hold every error rule and broken ones break exactly one, on every shipped form, is
the conformance kit's job (tests/test_conformance.py).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from unionforms import Form, Registry, validate
from unionforms.strategies import broken_reports, reports, valid_reports


@settings(max_examples=20, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_complete_valid_reports_fill_every_field(form: Form, data: st.DataObject) -> None:
    report = data.draw(valid_reports(form, fill=1.0))
    assert set(report.values) == set(form.fields)
    assert not [f for f in validate(form, report) if f.is_error]


def test_arguments_are_checked_up_front(registry: Registry) -> None:
    form = registry.get("songwennuan-2017")
    with pytest.raises(InvalidArgument):
        valid_reports("songwennuan-2017").example()  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument):
        valid_reports(form, fill=1.5).example()
    with pytest.raises(InvalidArgument):
        reports(form, max_money=Decimal("-1")).example()
    with pytest.raises(InvalidArgument):
        broken_reports(form, rule="no-such-rule").example()
