"""The shipped Hypothesis strategies: valid reports hold every error rule; broken ones break exactly one."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from unionforms import Form, Registry, Severity, validate
from unionforms.strategies import broken_reports, reports, valid_reports

from .conftest import FORM_IDS


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_valid_reports_have_no_error_finding(form: Form, data: st.DataObject) -> None:
    report = data.draw(valid_reports(form))
    errors = [f for f in validate(form, report) if f.severity is Severity.ERROR]
    assert errors == []


@settings(max_examples=20, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_complete_valid_reports_fill_every_field(form: Form, data: st.DataObject) -> None:
    report = data.draw(valid_reports(form, fill=1.0))
    assert set(report.values) == set(form.fields)
    assert not [f for f in validate(form, report) if f.is_error]


def _every_rule(registry_ids: list[str]) -> list[tuple[str, str]]:
    from unionforms import default_registry

    reg = default_registry()
    return [(fid, rule.id) for fid in registry_ids for rule in reg.get(fid).rules]


@pytest.mark.parametrize(("form_id", "rule_id"), _every_rule(FORM_IDS))
@settings(max_examples=8, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(data=st.data())
def test_each_rule_can_be_broken_alone(
    registry: Registry, form_id: str, rule_id: str, data: st.DataObject
) -> None:
    form = registry.get(form_id)
    report, rule = data.draw(broken_reports(form, rule=rule_id))
    findings = validate(form, report)
    assert [f.rule for f in findings] == [rule_id]
    (finding,) = findings
    assert finding.fields == rule.codes
    assert finding.severity is rule.severity
    for code in rule.codes:
        assert code in finding.message


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
