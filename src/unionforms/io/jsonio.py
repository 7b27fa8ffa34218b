"""Reports as JSON — the interchange contract (``specs/report-json.md``).

``{"form": "songwennuan-2017", "meta": {"unit": …, "filled_by": …, "phone": …, "date": "2017-01-15"},
"values": {"01A": 5000, "05": "100.50", "06B": true}, "explanations": {"06-05-spent": "…"}}``: counts
are JSON integers, money decimal strings (their places kept: "3.70" stays 3.70), flags booleans; a blank
field is left out; ``explanations`` (optional) maps a warning rule's id to the filler's 合理性审核说明.
Numbers are parsed as Decimal, never float.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import cattrs

from unionforms.core.errors import InputError
from unionforms.core.findings import Finding, finding
from unionforms.core.inputs import MAX_JSON_BYTES, read_input
from unionforms.core.model import Form
from unionforms.core.report import Meta, Report, Source
from unionforms.core.validate import typed_values
from unionforms.core.values import ValueProblem, coerce_header
from unionforms.io import jsonsafe
from unionforms.io.text import decode
from unionforms.plugins.registry import Registry

_converter = cattrs.Converter(forbid_extra_keys=True)
_converter.register_unstructure_hook(Decimal, lambda d: format(d, "f"))
_converter.register_structure_hook(Decimal, lambda v, _: Decimal(str(v)))
_converter.register_unstructure_hook(datetime.date, lambda d: d.isoformat())
_converter.register_structure_hook(datetime.date, lambda v, _: _iso_date(v))


def _iso_date(value: object) -> datetime.date:
    if not isinstance(value, str):
        raise TypeError(f"a date is an ISO string, not {type(value).__name__}")
    return datetime.date.fromisoformat(value)


def _unstructure_value(value: object) -> object:
    if isinstance(value, bool | int):
        return value
    if isinstance(value, Decimal):
        return _converter.unstructure(value)
    raise TypeError(f"cannot write {value!r} ({type(value).__name__}) as a report value; validate first")


def report_to_dict(report: Report) -> dict[str, Any]:
    """The JSON-ready dict of a typed report (values as validated: int, Decimal, bool)."""
    data: dict[str, Any] = {
        "form": report.form,
        "meta": {k: v for k, v in _converter.unstructure(report.meta).items() if v is not None},
        "values": {code: _unstructure_value(v) for code, v in report.values.items()},
    }
    if report.explanations:
        data["explanations"] = dict(report.explanations)
    return data


def dumps(report: Report) -> str:
    """The report as JSON text, Chinese kept readable."""
    return json.dumps(report_to_dict(report), ensure_ascii=False, indent=2)


def report_from_dict(
    data: object, registry: Registry, *, file: str | None = None
) -> tuple[Form, Report, list[Finding]]:
    """Read a parsed JSON document into its form and a typed report, with a finding for every problem.

    Only an unusable document (not an object, no known form) raises InputError; anything else is a finding.
    """
    if not isinstance(data, Mapping) or not isinstance(data.get("form"), str):
        raise InputError("IN-013", file=file)
    # a total's provenance: aggregate.py
    extra = set(data) - {"form", "meta", "values", "explanations", "provenance"}
    if extra:
        raise InputError("IN-014", keys="、".join(sorted(map(str, extra))), file=file)
    try:
        form = registry.get(data["form"])
    except InputError as exc:
        exc.file = file
        raise
    values = data.get("values", {})
    if not isinstance(values, Mapping):
        raise InputError("IN-015", file=file)
    explanations = data.get("explanations", {})
    if not isinstance(explanations, Mapping) or not all(isinstance(t, str) for t in explanations.values()):
        raise InputError("IN-016", file=file)
    meta, findings = _meta(form, data.get("meta", {}), file)
    raw = Report(form.id, meta, values)
    typed, problems = typed_values(form, raw, Source(file=file))
    kept = {rule: text.strip() for rule, text in explanations.items() if text.strip()}
    return form, Report(form.id, meta, typed, kept), findings + problems


def _meta(form: Form, raw: object, file: str | None) -> tuple[Meta, list[Finding]]:
    if raw is None:
        return Meta(), []
    if not isinstance(raw, Mapping):
        return Meta(), [finding("META-003", file=file)]
    kept: dict[str, object] = {}
    findings: list[Finding] = []
    entries = [a.name for a in attrs.fields(Meta)]
    for key, value in raw.items():
        if key not in entries:
            findings.append(finding("META-004", key=f"“{key}”", entries="、".join(entries), file=file))
            continue
        typed = coerce_header(form.header, key, value)
        if isinstance(typed, ValueProblem):
            place = f"{form.header.label(key)}（meta.{key}）"
            findings.append(finding(typed.code, place=place, **typed.params, values=(value,), file=file))
        elif typed is not None:
            kept[key] = typed
    return Meta(**kept), findings  # type: ignore[arg-type]


def load(path: str | Path, registry: Registry) -> tuple[Form, Report, list[Finding]]:
    """Read a report JSON file; InputError (IN-0xx, see the catalogue) when the file is unusable.

    The file is bounded before it is read and parsed within bounds
    (:mod:`unionforms.core.inputs`, :mod:`.jsonsafe`).
    """
    name = str(path)
    text = decode(read_input(path, limit=MAX_JSON_BYTES), name)
    return report_from_dict(jsonsafe.loads(text, file=name), registry, file=name)


def finding_to_dict(finding: Finding) -> dict[str, Any]:
    """A finding as JSON-ready data: where (file, sheet, cells), what (code, rule, fields, values), why."""
    return {
        "file": finding.file,
        "sheet": finding.sheet,
        "cells": list(finding.cells),
        "severity": finding.severity.value,
        "code": finding.code,
        "rule": finding.rule,
        "fields": list(finding.fields),
        "values": [_json_value(v) for v in finding.values],
        "message": finding.message,
        "message_en": finding.message_en,
        "detail": finding.detail,
        "explanation": finding.explanation,
        "unchecked": list(finding.unchecked),
        "why": finding.why,
    }


def _json_value(value: object) -> object:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)
