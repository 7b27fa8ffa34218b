"""The JSON interchange contract: matches the published JSON Schema (the exact round trip of every form
is in the conformance kit, tests/test_conformance.py)."""

from __future__ import annotations

import json
from decimal import Decimal

import attrs
import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from unionforms import Finding, Form, InputError, Registry, Severity
from unionforms.io import jsonio
from unionforms.io.schema import report_schema
from unionforms.strategies import reports


@settings(max_examples=30, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_written_reports_match_the_schema(form: Form, data: st.DataObject) -> None:
    report = data.draw(reports(form))
    doc = json.loads(jsonio.dumps(report))
    jsonschema.Draft202012Validator(report_schema(form), format_checker=jsonschema.FormatChecker()).validate(
        doc
    )


def test_schema_refuses_floats_negative_counts_and_unknown_codes(form: Form) -> None:
    validator = jsonschema.Draft202012Validator(report_schema(form))
    count = next(f.code for f in form.iter_fields() if f.kind.value == "count")
    assert not validator.is_valid({"form": form.id, "values": {count: -1}})
    assert not validator.is_valid({"form": form.id, "values": {"99Z": 1}})
    assert validator.is_valid({"form": form.id, "values": {count: 3}})


def test_values_keep_their_json_types(registry: Registry) -> None:
    form = registry.get("bangfu-2016")
    _, report, findings = jsonio.report_from_dict(
        {"form": form.id, "meta": {"date": "2017-01-15"}, "values": {"01": 5, "05": "100.50", "06B": True}},
        registry,
    )
    assert findings == []
    assert report.values == {"01": 5, "05": Decimal("100.50"), "06B": True}
    doc = jsonio.report_to_dict(report)
    assert doc["values"] == {"01": 5, "05": "100.50", "06B": True}
    assert doc["meta"] == {"date": "2017-01-15"}


def test_bad_meta_is_a_finding_not_a_crash(registry: Registry) -> None:
    _, report, findings = jsonio.report_from_dict(
        {"form": "bangfu-2016", "meta": {"date": "2017-13-45", "phone": 123, "seal": "x"}, "values": {}},
        registry,
    )
    assert sorted(f.code for f in findings) == ["META-001", "META-002", "META-004"]
    assert report.meta.date is None


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("[]", "IN-013"),
        ("{", "IN-011"),
        ('{"form": "nope-1999", "values": {}}', "IN-003"),
        ('{"form": "bangfu-2016", "x": 1}', "IN-014"),
        ('{"form": "bangfu-2016", "values": []}', "IN-015"),
    ],
)
def test_unusable_files_raise_input_error(tmp_path, registry: Registry, text: str, code: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "r.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        jsonio.load(path, registry)
    assert info.value.code == code


def test_missing_file(tmp_path, registry: Registry) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError) as info:
        jsonio.load(tmp_path / "none.json", registry)
    assert info.value.code == "IN-001"


def test_explanations_are_carried_and_checked_for_shape(registry: Registry) -> None:
    data = {
        "form": "songwennuan-2017",
        "values": {"06": "12.00"},
        "explanations": {"06-05-spent": " 含上年结转 ", "03F-plausible": ""},
    }
    _, report, findings = jsonio.report_from_dict(data, registry)
    assert findings == []
    assert report.explanations == {"06-05-spent": "含上年结转"}  # trimmed; a blank one is no explanation
    assert jsonio.report_to_dict(report)["explanations"] == {"06-05-spent": "含上年结转"}
    assert "explanations" not in jsonio.report_to_dict(attrs.evolve(report, explanations={}))
    for bad in (["06-05-spent"], {"06-05-spent": 3}):
        with pytest.raises(InputError, match="IN-016"):
            jsonio.report_from_dict({**data, "explanations": bad}, registry)


def test_findings_as_json_carry_explanation_and_unchecked_rules() -> None:
    finding = Finding("VAL-003", Severity.ERROR, "…", fields=("05A",), unchecked=("05-sum",))
    assert jsonio.finding_to_dict(finding)["unchecked"] == ["05-sum"]
    assert jsonio.finding_to_dict(finding)["explanation"] is None
    finding = Finding("CHK-002", Severity.WARNING, "…", rule="06-05-spent", explanation="含上年结转")
    assert jsonio.finding_to_dict(finding)["explanation"] == "含上年结转"


def test_the_schema_admits_explanations_of_warning_rules_only(registry: Registry) -> None:
    form = registry.get("songwennuan-2017")
    check = jsonschema.Draft202012Validator(report_schema(form))
    doc = {"form": form.id, "values": {}, "explanations": {"06-05-spent": "含上年结转"}}
    check.validate(doc)
    for bad in ({"01B-part": "…"}, {"06-05-spent": ""}):
        with pytest.raises(jsonschema.ValidationError):
            check.validate({**doc, "explanations": bad})
