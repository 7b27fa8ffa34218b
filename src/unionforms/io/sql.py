"""Returns into a database through SQLAlchemy: SQLite, PostgreSQL, or any database it speaks to.

Four tables (``specs/export.md`` §4), prefixed ``uf_`` so that they sit beside a union system's own:

- ``uf_returns``: one row per return — form, year, 填报单位 and the other header entries, source file and
  its SHA-256, status, whether it is an aggregate (and its provenance), when it was imported. A return
  is known by its form and unit (``unit_key``; the source file when the unit is blank).
- ``uf_values``: one row per filled value — exact NUMERIC for money (text on SQLite, which has no
  decimal type), BIGINT for counts, BOOLEAN for 是/否.
- ``uf_findings``: every finding of a return.
- ``uf_fields``: every field of every exported form — code, line, letter, label, unit — to join on.

Exporting a return again with the same figures changes nothing; with other figures it replaces the old
rows (the change is reported). Returns are written in batches, in one transaction: memory stays flat
and a failed export leaves the database as it was.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.types import TypeEngine

from unionforms.core.errors import InputError
from unionforms.core.model import Form
from unionforms.core.report import unit_key
from unionforms.core.textsafe import unicode_text
from unionforms.core.units import Kind
from unionforms.core.values import Value
from unionforms.io.jsonio import finding_to_dict
from unionforms.io.summary import Change, ExportSummary, Item, Unusable, counted
from unionforms.io.tables import Return, explanations_text

BATCH = 500  # returns per round trip: large enough to amortise, small enough to keep memory flat


class ExactDecimal(sa.types.TypeDecorator[Decimal]):
    """NUMERIC where the database has an exact decimal type; exact decimal text on SQLite."""

    impl = sa.Numeric
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.Text())
        return dialect.type_descriptor(sa.Numeric(asdecimal=True))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None or dialect.name != "sqlite":
            return value
        return format(value, "f")

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return value if isinstance(value, Decimal) else Decimal(str(value))


metadata = sa.MetaData()

returns_table = sa.Table(
    "uf_returns",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("form", sa.String(64), nullable=False),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("unit", sa.Text),
    sa.Column("unit_key", sa.Text, nullable=False),
    sa.Column("filled_by", sa.Text),
    sa.Column("phone", sa.Text),
    sa.Column("date", sa.Date),
    sa.Column("source_file", sa.Text, nullable=False),
    sa.Column("source_hash", sa.String(64)),
    sa.Column("figures_hash", sa.String(64), nullable=False),
    sa.Column("status", sa.String(8), nullable=False),
    sa.Column("current", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("standing", sa.String(16), nullable=False, server_default="current"),
    sa.Column("is_aggregate", sa.Boolean, nullable=False),
    sa.Column("provenance", sa.Text),
    sa.Column("explanations", sa.Text),
    sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("form", "unit_key", name="uf_returns_form_unit"),
)

values_table = sa.Table(
    "uf_values",
    metadata,
    sa.Column("return_id", sa.Integer, sa.ForeignKey("uf_returns.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("code", sa.String(16), primary_key=True),
    sa.Column("kind", sa.String(5), nullable=False),
    sa.Column("count", sa.BigInteger),
    sa.Column("money", ExactDecimal()),
    sa.Column("flag", sa.Boolean),
)

findings_table = sa.Table(
    "uf_findings",
    metadata,
    sa.Column("return_id", sa.Integer, sa.ForeignKey("uf_returns.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(16), nullable=False),
    sa.Column("severity", sa.String(7), nullable=False),
    sa.Column("rule", sa.String(64)),
    sa.Column("fields", sa.Text),
    sa.Column("cells", sa.Text),
    sa.Column("message", sa.Text, nullable=False),
)

fields_table = sa.Table(
    "uf_fields",
    metadata,
    sa.Column("form", sa.String(64), primary_key=True),
    sa.Column("code", sa.String(16), primary_key=True),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("line", sa.String(2), nullable=False),
    sa.Column("letter", sa.String(1)),
    sa.Column("label", sa.Text, nullable=False),
    sa.Column("measure_unit", sa.String(8), nullable=False),
    sa.Column("kind", sa.String(5), nullable=False),
)

_TABLES = (returns_table, values_table, findings_table, fields_table)


def return_key(ret: Return) -> str:
    """How a return is known: its unit (the 名录's name when it is listed, else its 填报单位, compared
    as :func:`unionforms.core.report.unit_key`), or its source file when that is blank."""
    return unit_key(ret.listed or ret.report.meta.unit) or f"file:{ret.name}"


#: How long an export waits for another export into the same SQLite file to finish (seconds).
SQLITE_WAIT = 600
#: The PostgreSQL advisory lock every export takes in its transaction: exports into one database
#: run one after the other.
_PG_LOCK = 0x756E696F6E66  # "unionf"


def engine_for(url: str) -> sa.Engine:
    """An engine for ``url`` (EXP-005 when SQLAlchemy cannot make one: unknown dialect, driver missing).

    SQLite transactions begin IMMEDIATE (the write lock taken before the existing rows are read, waiting
    up to :data:`SQLITE_WAIT` for another export), so that two exports into one file never interleave."""
    try:
        url_ = sa.engine.make_url(url)
        if url_.get_backend_name() != "sqlite":
            return sa.create_engine(url_)
        engine = sa.create_engine(url_, connect_args={"timeout": SQLITE_WAIT, "isolation_level": None})
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError, ImportError) as exc:
        raise InputError("EXP-005", detail=f"{type(exc).__name__}: {exc}") from None

    @sa.event.listens_for(engine, "begin")
    def _immediate(conn: Connection) -> None:  # SQLAlchemy's recipe for SQLite's own transactions
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def export_sql(items: Iterable[Item], url: str) -> ExportSummary:
    """Write ``items`` into the database at ``url`` in one transaction; see the module docstring."""
    engine = engine_for(url)
    summary = ExportSummary(engine.url.render_as_string(hide_password=True))
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA foreign_keys = ON")
            elif conn.dialect.name == "postgresql":  # another export into this database finishes first
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK})
            _check_tables(conn)
            metadata.create_all(conn)
            forms: set[str] = set()
            kept = _stored(_holdable(counted(items, summary), summary, conn.dialect.name), summary)
            for batch in _batches(kept, BATCH):
                _fields(conn, [r.form for r in batch if r.form.id not in forms])
                forms.update(r.form.id for r in batch)
                _write_batch(conn, batch, summary)
    except sa.exc.SQLAlchemyError as exc:
        raise InputError("EXP-002", detail=str(exc).splitlines()[0]) from None
    finally:
        engine.dispose()
    return summary


def _holdable(returns: Iterable[Return], summary: ExportSummary, dialect: str) -> Iterator[Return]:
    """The returns whose every text the database can hold; a return with a text it cannot (a NUL in
    PostgreSQL, text that is not Unicode) is listed unusable with EXP-007, the others exported. A file
    name is data: its undecodable bytes are stored as escapes (``\\x80``), never refused."""
    for ret in returns:
        where = _unholdable(ret, nul=dialect == "postgresql")
        if where is None:
            yield ret
            continue
        error = InputError("EXP-007", where=where, file=ret.name)
        summary.unusable.append(Unusable(ret.name, "unusable", str(error), "EXP-007"))
        summary.returns -= 1  # counted as a return: it is an unusable input instead
        summary.statuses[ret.status] -= 1
        summary.count("unusable")


def _unholdable(ret: Return, *, nul: bool) -> str | None:
    meta = ret.report.meta
    texts = {
        "填报单位 unit": meta.unit,
        "填报人 filled_by": meta.filled_by,
        "联系电话 phone": meta.phone,
        **{f"合理性审核说明 {rule}": text for rule, text in ret.report.explanations.items()},
        **{f"审核结果 {f.code}": f.message for f in ret.findings},
    }
    for where, text in texts.items():
        if text is None:
            continue
        if nul and "\x00" in text:
            return where
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return where
    return None


def _stored(returns: Iterable[Return], summary: ExportSummary) -> Iterator[Return]:
    """The returns a database keeps: a unit's superseded returns are listed, not stored (the table holds
    one return per form and unit: the current one, or, for a unit in conflict, the first of its
    conflicting returns marked not current, the others listed)."""
    conflicts: set[tuple[str, str]] = set()
    for ret in returns:
        if ret.standing == "superseded":
            summary.superseded.append(ret.name)
            continue
        if ret.standing == "conflict":
            key = (ret.form.id, return_key(ret))
            if key in conflicts:
                summary.superseded.append(ret.name)
                continue
            conflicts.add(key)
        yield ret


def _batches(returns: Iterable[Return], size: int) -> Iterator[list[Return]]:
    batch: list[Return] = []
    for ret in returns:
        batch.append(ret)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _check_tables(conn: Connection) -> None:
    """Refuse tables named like ours whose columns are not ours (another system's, or an old layout)."""
    inspector = sa.inspect(conn)
    for table in _TABLES:
        if not inspector.has_table(table.name):
            continue
        have = {c["name"] for c in inspector.get_columns(table.name)}
        want = {c.name for c in table.columns}
        if table is returns_table and want - have == {"current", "standing"}:  # made before rounds
            conn.exec_driver_sql("ALTER TABLE uf_returns ADD COLUMN current BOOLEAN NOT NULL DEFAULT TRUE")
            conn.exec_driver_sql(
                "ALTER TABLE uf_returns ADD COLUMN standing VARCHAR(16) NOT NULL DEFAULT 'current'"
            )
            continue
        if not want <= have:
            raise InputError("EXP-006", table=table.name, columns="、".join(sorted(want - have)))


def _fields(conn: Connection, forms: Sequence[Form]) -> None:
    seen: set[str] = set()
    for form in forms:
        if form.id in seen:
            continue
        seen.add(form.id)
        have = set(conn.scalars(sa.select(fields_table.c.code).where(fields_table.c.form == form.id)))
        rows = [
            {
                "form": form.id,
                "code": f.code,
                "year": form.year,
                "line": f.line,
                "letter": f.letter,
                "label": f.label,
                "measure_unit": f.unit,
                "kind": f.kind.value,
            }
            for f in form.iter_fields()
            if f.code not in have
        ]
        if rows:
            conn.execute(fields_table.insert(), rows)


def _write_batch(conn: Connection, batch: list[Return], summary: ExportSummary) -> None:
    latest: dict[tuple[str, str], Return] = {}
    for ret in batch:  # the last of a unit's returns in one batch wins, like a later batch would
        key = (ret.form.id, return_key(ret))
        earlier = latest.get(key)
        if earlier is not None and earlier.figures_hash != ret.figures_hash:
            summary.replaced.append(_change(earlier.form, earlier.name, _typed(earlier), ret))
        elif earlier is not None:  # the same figures sent twice: counted, so that every return is
            summary.unchanged += 1  # new, replaced or unchanged
        latest[key] = ret
    r = returns_table.c
    existing: dict[tuple[str, str], tuple[int, str, str]] = {}
    keys = list(latest)
    for row in conn.execute(
        sa.select(r.id, r.form, r.unit_key, r.figures_hash, r.source_file, r.standing).where(
            sa.tuple_(r.form, r.unit_key).in_(keys)
        )
    ):
        existing[(row.form, row.unit_key)] = (row.id, row.figures_hash + row.standing, row.source_file)
    now = datetime.datetime.now(datetime.UTC)
    new: list[Return] = []
    replaced: list[tuple[int, Return]] = []
    for key, ret in latest.items():
        old = existing.get(key)
        if old is None:
            new.append(ret)
        elif old[1] == ret.figures_hash + ret.standing:
            summary.unchanged += 1
        else:
            replaced.append((old[0], ret))
    if replaced:
        ids = [i for i, _ in replaced]
        before = _stored_values(conn, ids)
        for i, ret in replaced:
            old_source = existing[(ret.form.id, return_key(ret))][2]
            summary.replaced.append(_change(ret.form, old_source, before.get(i, {}), ret))
        conn.execute(values_table.delete().where(values_table.c.return_id.in_(ids)))
        conn.execute(findings_table.delete().where(findings_table.c.return_id.in_(ids)))
        conn.execute(
            returns_table.update().where(r.id == sa.bindparam("old_id")),
            [{"old_id": i, **_return_row(ret, now)} for i, ret in replaced],
        )
    summary.new += len(new)
    ids_new: list[int] = []
    if new:
        result = conn.execute(
            returns_table.insert().returning(r.id, sort_by_parameter_order=True),
            [_return_row(ret, now) for ret in new],
        )
        ids_new = [row[0] for row in result]
    written = [*replaced, *zip(ids_new, new, strict=True)]
    values = [v for i, ret in written for v in _value_rows(i, ret)]
    if values:
        _insert_values(conn, values)
    findings = [f for i, ret in written for f in _finding_rows(i, ret)]
    if findings:
        conn.execute(findings_table.insert(), findings)
    summary.rows += len(values)


def _return_row(ret: Return, now: datetime.datetime) -> dict[str, Any]:
    meta = ret.report.meta
    return {
        "form": ret.form.id,
        "year": ret.form.year,
        "unit": meta.unit,
        "unit_key": return_key(ret),
        "filled_by": meta.filled_by,
        "phone": meta.phone,
        "date": meta.date,
        "source_file": unicode_text(ret.name),  # a file name's undecodable bytes as \x80
        "source_hash": ret.source_hash,
        "figures_hash": ret.figures_hash,
        "status": ret.status,
        "current": ret.current,
        "standing": ret.standing,
        "is_aggregate": ret.provenance is not None,
        "provenance": json.dumps(ret.provenance, ensure_ascii=False, default=str)
        if ret.provenance is not None
        else None,
        "explanations": explanations_text(ret.report.explanations),
        "imported_at": now,
    }


_VALUE_COLUMNS = ("return_id", "code", "kind", "count", "money", "flag")
ValueRow = tuple[int, str, str, int | None, Decimal | None, bool | None]
_KINDS: dict[tuple[str, str], dict[str, Kind]] = {}


def _kinds(form: Form) -> dict[str, Kind]:
    key = (form.id, form.version)
    kinds = _KINDS.get(key)
    if kinds is None:
        kinds = _KINDS[key] = {f.code: f.kind for f in form.iter_fields()}
    return kinds


def _value_rows(return_id: int, ret: Return) -> Iterator[ValueRow]:
    kinds = _kinds(ret.form)
    for code, value in ret.report.values.items():
        kind = kinds.get(code)
        if kind is None:  # typed reports have none; a hand-made one may
            continue
        if kind is Kind.COUNT:
            yield (return_id, code, "count", value, None, None)  # type: ignore[misc]
        elif kind is Kind.MONEY:
            yield (return_id, code, "money", None, value, None)  # type: ignore[misc]
        else:
            yield (return_id, code, "flag", None, None, value)  # type: ignore[misc]


def _insert_values(conn: Connection, rows: list[ValueRow]) -> None:
    """Many value rows at once: COPY into PostgreSQL (psycopg), the driver's executemany into SQLite."""
    dialect = conn.dialect
    columns = ", ".join(_VALUE_COLUMNS)
    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        raw: Any = conn.connection.driver_connection
        with raw.cursor() as cur, cur.copy(f"COPY uf_values ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    elif dialect.name == "sqlite":  # no decimal type: money as its exact text (as ExactDecimal binds it)
        text = [(r[0], r[1], r[2], r[3], None if r[4] is None else format(r[4], "f"), r[5]) for r in rows]
        conn.exec_driver_sql(f"INSERT INTO uf_values ({columns}) VALUES (?, ?, ?, ?, ?, ?)", text)
    else:
        conn.execute(values_table.insert(), [dict(zip(_VALUE_COLUMNS, r, strict=True)) for r in rows])


def _finding_rows(return_id: int, ret: Return) -> Iterator[dict[str, Any]]:
    for seq, finding in enumerate(ret.findings, start=1):
        data = finding_to_dict(finding)
        yield {
            "return_id": return_id,
            "seq": seq,
            "code": finding.code,
            "severity": finding.severity.value,
            "rule": finding.rule,
            "fields": ",".join(finding.fields) or None,
            "cells": ",".join(finding.cells) or None,
            "message": data["message"],
        }


def _stored_values(conn: Connection, ids: list[int]) -> dict[int, dict[str, Value]]:
    v = values_table.c
    out: dict[int, dict[str, Value]] = {}
    for row in conn.execute(
        sa.select(v.return_id, v.code, v.count, v.money, v.flag).where(v.return_id.in_(ids))
    ):
        value: Value = next(x for x in (row[2], row[3], row[4]) if x is not None)
        out.setdefault(row[0], {})[row[1]] = value
    return out


def _typed(ret: Return) -> dict[str, Value]:
    return dict(ret.report.values)  # type: ignore[arg-type]


def _change(form: Form, old_source: str, old: Mapping[str, Value], ret: Return) -> Change:
    new = ret.report.values
    changed = tuple(c for c in form.fields if old.get(c) != new.get(c))
    return Change(form.id, ret.report.meta.unit, old_source, ret.name, changed)
