"""A filled report: its form, header and filled values; where they came from; what reading it gave."""

from __future__ import annotations

import datetime
import hashlib
import json
import unicodedata
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from unionforms.core.findings import Finding
from unionforms.core.model import Form, FrozenMap, frozen_map


@attrs.frozen
class Meta:
    """The header: 填报单位, 填报人, 联系电话 and the date (年 月 日). Each may be blank."""

    unit: str | None = None
    filled_by: str | None = None
    phone: str | None = None
    date: datetime.date | None = None


@attrs.frozen
class Report:
    """One return of one form. ``values`` maps field codes to values; a blank is absent, never 0.

    ``explanations`` maps a warning rule's id to the filler's 合理性审核说明: why the figures are right
    although the rule is broken.

    Values as read from a file may be anything; :func:`unionforms.core.validate` types and checks them.
    """

    form: str
    meta: Meta = Meta()
    values: Mapping[str, object] = attrs.field(factory=FrozenMap, converter=frozen_map)
    explanations: Mapping[str, str] = attrs.field(factory=FrozenMap, converter=frozen_map)


@attrs.frozen
class Source:
    """Where a report came from, so findings can point at the file, sheet and cell of each field."""

    file: str | None = None
    sheet: str | None = None
    cells: Mapping[str, str] = attrs.field(factory=FrozenMap, converter=frozen_map)


@attrs.frozen
class ReadResult:
    """A report as read: its form, typed values, where each came from, and the problems met reading it.

    ``provenance`` is an aggregate's provenance as its file holds it (None for a return of one unit).
    """

    form: Form
    report: Report
    source: Source
    findings: tuple[Finding, ...]
    provenance: Mapping[str, Any] | None = None


def figures_digest(report: Report) -> str:
    """SHA-256 of a report's header, figures and explanations: two returns with the same digest say the
    same thing (12.5 and 12.50 万元 are one figure). What tells a duplicate from a correction."""
    meta = attrs.asdict(report.meta)
    data = {
        "form": report.form,
        "meta": {k: (str(v) if v is not None else None) for k, v in meta.items()},
        "values": {code: _digest_value(v) for code, v in sorted(report.values.items())},
        "explanations": dict(sorted(report.explanations.items())),
    }
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _digest_value(value: object) -> object:
    if isinstance(value, bool | int):
        return value
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def unit_key(name: str | None) -> str:
    """A 填报单位 as compared everywhere (duplicates, the 名录, databases): NFKC (full and half width),
    without white space or invisible characters (zero-width spaces and joiners, BOM, soft hyphen and the
    other format characters, Unicode category Cf). Idempotent: removing a space NFKC made can let two
    characters compose, so it is applied until nothing changes."""
    text = name or ""
    while True:
        normal = unicodedata.normalize("NFKC", text)
        key = "".join(c for c in normal if not c.isspace() and unicodedata.category(c) != "Cf")
        if key == text:
            return key
        text = key
