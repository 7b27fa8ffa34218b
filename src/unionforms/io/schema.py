"""The JSON Schema (draft 2020-12) of one form's report, generated from its definition."""

from __future__ import annotations

from typing import Any

from unionforms.core.findings import Severity
from unionforms.core.model import Form
from unionforms.core.units import Kind

MONEY_PATTERN = r"^[0-9]+(\.[0-9]+)?$"


def report_schema(form: Form) -> dict[str, Any]:
    """A schema that accepts exactly the reports of ``form`` written by unionforms."""
    values: dict[str, Any] = {}
    for field in form.iter_fields():
        if field.kind is Kind.COUNT:
            spec: dict[str, Any] = {"type": "integer", "minimum": 0}
        elif field.kind is Kind.MONEY:
            spec = {"type": "string", "pattern": MONEY_PATTERN}
        else:
            spec = {"type": "boolean"}
        values[field.code] = {
            "title": field.label,
            "description": f"{field.code}，单位：{field.unit}",
            **spec,
        }
    text_or_null = {"type": ["string", "null"]}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:unionforms:{form.id}:{form.version}",
        "title": form.title,
        "type": "object",
        "required": ["form", "values"],
        "additionalProperties": False,
        "properties": {
            "form": {"const": form.id},
            "meta": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "unit": {**text_or_null, "title": form.header.unit_label},
                    "filled_by": {**text_or_null, "title": form.header.filler_label},
                    "phone": {**text_or_null, "title": form.header.phone_label},
                    "date": {"type": ["string", "null"], "format": "date", "title": "年月日"},
                },
            },
            "values": {"type": "object", "additionalProperties": False, "properties": values},
            "explanations": {
                "type": "object",
                "title": "合理性审核说明",
                "description": "警告（合理性审核）规则编号 -> 数字无误的理由",
                "additionalProperties": False,
                "properties": {
                    r.id: {"type": "string", "minLength": 1, "title": r.expr}
                    for r in form.rules
                    if r.severity is Severity.WARNING
                },
            },
        },
    }
