"""Returns as a pandas DataFrame, with the columns of the exported tables (``specs/export.md``).

pandas is optional (``pip install unionforms[pandas]``): it is imported only when :func:`to_frame` is
called. Values keep their exact types in object columns: int for counts, Decimal for money, bool for
是/否 — never float.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from unionforms.core.errors import InputError
from unionforms.core.findings import status_of
from unionforms.core.report import ReadResult, Report
from unionforms.core.validate import check_read, validate
from unionforms.io.tables import LONG_COLUMNS, Return, long_rows, wide_columns, wide_row
from unionforms.plugins.registry import Registry, default_registry

if TYPE_CHECKING:  # pragma: no cover
    import pandas


def to_frame(
    reports: Iterable[Report | ReadResult | Return], *, wide: bool = False, registry: Registry | None = None
) -> pandas.DataFrame:
    """A DataFrame of ``reports``: long (one row per value) or ``wide`` (one row per return, one form).

    Reports are typed (as read, or from :func:`unionforms.strategies`); each one's status comes from
    checking it. ImportError with the install hint when pandas is missing.
    """
    try:
        import pandas
    except ImportError:
        raise ImportError("to_frame needs pandas: pip install unionforms[pandas]") from None
    rows: list[Any] = []
    columns: list[str] | None = list(LONG_COLUMNS) if not wide else None
    form: str | None = None
    for item in reports:
        ret = _as_return(item, registry)
        if not wide:
            rows.extend(long_rows(ret))
            continue
        if form is None:
            form, columns = ret.form.id, wide_columns(ret.form)
        elif form != ret.form.id:
            raise InputError("EXP-003", first=form, second=ret.form.id)
        rows.append(wide_row(ret))
    return pandas.DataFrame(rows, columns=columns, dtype=object)


def _as_return(item: Report | ReadResult | Return, registry: Registry | None) -> Return:
    if isinstance(item, Return):
        return item
    if isinstance(item, ReadResult):
        findings = tuple(check_read(item))
        name = item.source.file or ""
        return Return(name, item.form, item.report, status_of(findings), findings, item.provenance)
    form = (registry or default_registry()).get(item.form)
    findings = tuple(validate(form, item))
    return Return("", form, item, status_of(findings), findings)
