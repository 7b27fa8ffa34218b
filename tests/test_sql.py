"""Returns into real databases: SQLite, and a PostgreSQL server started for the tests."""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
import sqlalchemy as sa

from unionforms import Form, Meta, Registry, Report
from unionforms.cli import main
from unionforms.collect.batch import expand
from unionforms.collect.export import returns_from_inputs
from unionforms.core.errors import InputError
from unionforms.core.units import Kind
from unionforms.io import jsonio, sql
from unionforms.io.tables import Return
from unionforms.io.writers import export

from .pgserver import bin_dir, running_postgres
from .returns import MAIN_FORM, make_folder

ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    if bin_dir() is None:
        if os.environ.get("CI"):  # on CI the PostgreSQL tests run, never skip
            raise RuntimeError("PostgreSQL is required on CI: .ci/run installs Debian's postgresql")
        pytest.skip("PostgreSQL is not installed (Debian: apt-get install postgresql; .ci/run installs it)")
    with running_postgres() as url:
        yield url


_db_counter = iter(range(10**6))


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database's URL for each test."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'figures.db'}"
    server: str = request.getfixturevalue("postgres_server")
    name = f"t{next(_db_counter)}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    admin.dispose()
    return re.sub(r"/unionforms\?", f"/{name}?", server)


def _report(form: Form, rng: random.Random, unit: str | None) -> Report:
    values: dict[str, object] = {}
    for field in form.iter_fields():
        if rng.random() < 0.2:
            continue
        if field.kind is Kind.COUNT:
            values[field.code] = rng.randrange(0, 10**9)
        elif field.kind is Kind.MONEY:
            values[field.code] = Decimal(rng.randrange(0, 10**12)) / 100
        else:
            values[field.code] = rng.random() < 0.5
    return Report(form.id, Meta(unit=unit), values)


def _folder(tmp_path: Path, form: Form, n: int, seed: int = 1) -> tuple[Path, list[Report]]:
    rng = random.Random(seed)
    folder = tmp_path / "returns"
    folder.mkdir(exist_ok=True)
    reports = []
    for i in range(n):
        report = _report(form, rng, f"第{i}县总工会")
        (folder / f"{i:03}.json").write_text(jsonio.dumps(report), encoding="utf-8")
        reports.append(report)
    return folder, reports


def _stored(url: str) -> dict[str | None, dict[str, object]]:
    engine = sa.create_engine(url)
    out: dict[str | None, dict[str, object]] = {}
    with engine.connect() as conn:
        r, v = sql.returns_table.c, sql.values_table.c
        rows = conn.execute(
            sa.select(r.unit, v.code, v.count, v.money, v.flag).join_from(
                sql.values_table, sql.returns_table, r.id == v.return_id
            )
        )
        for unit, code, count, money, flag in rows:
            value = count if count is not None else money if money is not None else bool(flag)
            out.setdefault(unit, {})[code] = value
    engine.dispose()
    return out


def _count(url: str, table: str) -> int:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        n = int(conn.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar_one())
    engine.dispose()
    return n


def test_values_go_in_exactly_typed_and_re_export_changes_nothing(
    database: str, registry: Registry, tmp_path: Path
) -> None:
    form = registry.get("bangfu-2016")
    folder, reports = _folder(tmp_path, form, 12)
    summary = export(returns_from_inputs(expand([str(folder)], registry), registry), database)
    assert (summary.returns, summary.new, summary.unchanged, summary.replaced) == (12, 12, 0, [])
    stored = _stored(database)
    assert stored == {r.meta.unit: dict(r.values) for r in reports}
    for values in stored.values():  # exact types: int, Decimal, bool — never float
        assert {type(v) for v in values.values()} <= {int, Decimal, bool}
    engine = sa.create_engine(database)
    with engine.connect() as conn:  # as stored: NUMERIC, or on SQLite the exact decimal text
        raw = conn.execute(sa.text("SELECT money FROM uf_values WHERE money IS NOT NULL")).scalars().all()
    engine.dispose()
    assert raw and all(isinstance(m, str if database.startswith("sqlite") else Decimal) for m in raw)
    counts = [_count(database, t) for t in ("uf_returns", "uf_values", "uf_findings")]
    again = export(returns_from_inputs(expand([str(folder)], registry), registry), database)
    assert (again.new, again.unchanged, again.replaced) == (0, 12, [])
    assert [_count(database, t) for t in ("uf_returns", "uf_values", "uf_findings")] == counts
    assert _count(database, "uf_fields") == len(form.fields)


def test_a_unit_sending_other_figures_replaces_its_return_and_is_reported(
    database: str, registry: Registry, tmp_path: Path
) -> None:
    form = registry.get("songwennuan-2017")
    folder, reports = _folder(tmp_path, form, 3)
    export(returns_from_inputs(expand([str(folder)], registry), registry), database)
    values = dict(reports[1].values)
    values["01A"] = 424242
    values.pop("05", None)
    resent = tmp_path / "resent.json"
    resent.write_text(jsonio.dumps(Report(form.id, reports[1].meta, values)), encoding="utf-8")
    summary = export(returns_from_inputs(expand([str(resent)], registry), registry), database)
    [change] = summary.replaced
    assert change.unit == "第1县总工会" and change.new_source == str(resent)
    assert change.old_source.endswith("001.json")
    expected = {c for c in form.fields if reports[1].values.get(c) != values.get(c)}
    assert set(change.changed) == expected and "01A" in expected
    assert _count(database, "uf_returns") == 3
    assert _stored(database)["第1县总工会"] == values


def _doc_sql() -> str:
    text = (ROOT / "docs" / "user-guide.md").read_text(encoding="utf-8")
    [query] = re.findall(r"```sql\n(.*?)```", text, re.DOTALL)
    return str(query)


def test_the_user_guide_sql_adds_up_a_province_like_unionforms_aggregate(
    database: str, registry: Registry, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    form = registry.get(MAIN_FORM)
    assert form.money_decimals == 2 and not form.decimals  # the SQL adds whole hundredths of 万元
    # A province's returns as they come in: valid and broken ones, other forms, a unit sent twice,
    # unusable and skipped files.
    folder = make_folder(tmp_path / "returns", registry, 30, seed=11)
    total_path = tmp_path / "total.json"
    code = main(
        ["aggregate", str(folder.root), "--unit", "某省总工会", "--form", MAIN_FORM, "-o", str(total_path)]
    )
    capsys.readouterr()
    assert code in (0, 1)
    # Everything goes into the database: the returns, and the total itself (which the SQL leaves out).
    export(returns_from_inputs(expand([str(folder.root)], registry), registry), database)
    export(returns_from_inputs(expand([str(total_path)], registry), registry), database)
    total = json.loads(total_path.read_text(encoding="utf-8"), parse_float=Decimal)
    _, expected_report, _ = jsonio.report_from_dict(total, registry)
    expected = dict(expected_report.values)
    flags = {c: (t["yes"], t["no"]) for c, t in total["provenance"]["flags"].items()}
    engine = sa.create_engine(database)
    with engine.connect() as conn:
        rows = conn.execute(sa.text(_doc_sql())).all()
    engine.dispose()
    got: dict[str, object] = {}
    got_flags: dict[str, tuple[int, int]] = {}
    for code, label, unit, count_total, money_hundredths, yes, no in rows:
        field = form.fields[code]
        assert label == field.label and unit == field.unit
        if field.kind is Kind.COUNT:
            got[code] = int(count_total)
        elif field.kind is Kind.MONEY:  # exact: whole hundredths in every database, then Decimal
            got[code] = Decimal(int(money_hundredths)) / 100
        else:
            got_flags[code] = (int(yes), int(no))
    sums = {c: v for c, v in expected.items() if form.fields[c].kind is not Kind.FLAG}
    assert got == sums
    assert all(isinstance(v, Decimal) for c, v in got.items() if form.fields[c].kind is Kind.MONEY)
    assert got_flags == {c: t for c, t in flags.items() if t != (0, 0)}


def test_aggregates_keep_their_provenance_and_findings_are_stored(
    database: str, registry: Registry, tmp_path: Path
) -> None:
    form = registry.get("songwennuan-2017")
    provenance = {
        "inputs": 1,
        "included": [{"file": "a.json", "unit": "甲", "form": form.id, "status": "ok"}],
        "rejected": [],
        "flags": {},
    }
    total = {**jsonio.report_to_dict(Report(form.id, Meta(unit="某市总工会"), {"01A": 1, "01B": 2}))}
    total["provenance"] = provenance
    path = tmp_path / "total.json"
    path.write_text(json.dumps(total, ensure_ascii=False), encoding="utf-8")
    export(returns_from_inputs(expand([str(path)], registry), registry), database)
    engine = sa.create_engine(database)
    with engine.connect() as conn:
        row = conn.execute(
            sa.text("SELECT is_aggregate, provenance, status, source_hash FROM uf_returns")
        ).one()
        findings = conn.execute(sa.text("SELECT code, severity, fields FROM uf_findings ORDER BY seq")).all()
    engine.dispose()
    assert bool(row[0]) is True and row[2] == "errors"
    assert json.loads(row[1]) == {"ref": f"{path}#/provenance", **provenance}
    assert len(row[3]) == 64
    assert ("CHK-001", "error", "01B,01A") in [tuple(f) for f in findings]


def test_a_foreign_table_of_the_same_name_is_refused_and_nothing_written(
    database: str, registry: Registry, tmp_path: Path
) -> None:
    engine = sa.create_engine(database)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE uf_values (id INTEGER, something TEXT)"))
    engine.dispose()
    folder, _ = _folder(tmp_path, registry.get("bangfu-2013"), 2)
    with pytest.raises(InputError) as info:
        export(returns_from_inputs(expand([str(folder)], registry), registry), database)
    assert info.value.code == "EXP-006" and info.value.params["table"] == "uf_values"
    assert not sa.inspect(sa.create_engine(database)).has_table("uf_returns")


def test_a_database_that_cannot_be_used_is_refused_by_its_code(registry: Registry, tmp_path: Path) -> None:
    form = registry.get("bangfu-2013")
    ret = Return("a.json", form, Report(form.id, Meta(unit="甲"), {"01A": 1}), "ok")
    with pytest.raises(InputError) as info:
        export([ret], "nosuchdialect://host/db")
    assert info.value.code == "EXP-005" and info.value.detail
    with pytest.raises(InputError) as info:
        export([ret], f"sqlite:///{tmp_path / 'no such folder' / 'f.db'}")
    assert info.value.code == "EXP-002" and info.value.detail


def test_the_same_unit_twice_in_one_run_keeps_the_last_and_reports_it(
    registry: Registry, tmp_path: Path
) -> None:
    form = registry.get("bangfu-2013")
    first = Return("a.json", form, Report(form.id, Meta(unit="甲"), {"01A": 1}), "ok")
    second = Return("b.json", form, Report(form.id, Meta(unit=" 甲 "), {"01A": 2}), "ok")
    url = f"sqlite:///{tmp_path / 'f.db'}"
    summary = export([first, second], url)
    assert [(c.old_source, c.new_source, c.changed) for c in summary.replaced] == [
        ("a.json", "b.json", ("01A",))
    ]
    assert _stored(url) == {" 甲 ": {"01A": 2}}
    assert summary.returns == summary.new + len(summary.replaced) + summary.unchanged == 2


def test_every_return_of_a_run_is_new_replaced_or_unchanged(registry: Registry, tmp_path: Path) -> None:
    """The same return sent twice in one run (a copy in another folder) is counted once as unchanged."""
    form = registry.get("bangfu-2013")
    report = Report(form.id, Meta(unit="甲"), {"01A": 1})
    url = f"sqlite:///{tmp_path / 'f.db'}"
    summary = export([Return("a.json", form, report, "ok"), Return("copy/a.json", form, report, "ok")], url)
    assert (summary.returns, summary.new, summary.replaced, summary.unchanged) == (2, 1, [], 1)
    assert _stored(url) == {"甲": {"01A": 1}}


def test_a_text_the_database_cannot_hold_marks_its_return_only(
    database: str, registry: Registry, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    form = registry.get(MAIN_FORM)
    folder, reports = _folder(tmp_path, form, 4)
    bad = attrs.evolve(reports[2], explanations={"05-sum": "粘贴来的\x00说明"})
    (folder / "002.json").write_text(jsonio.dumps(bad), encoding="utf-8")
    code = main(["export", str(folder), "-o", database])
    _, err = capsys.readouterr()
    stored = _stored(database)
    if database.startswith("postgresql"):  # PostgreSQL holds no NUL: that return alone is refused
        assert code == 2 and "EXP-007" in err and "002.json" in err
        assert set(stored) == {"第0县总工会", "第1县总工会", "第3县总工会"}
    else:
        assert code == 0 and len(stored) == 4


def _racer(url: str, folder: Path) -> subprocess.Popen[str]:
    exe = Path(sys.executable).with_name("unionforms")
    return subprocess.Popen(
        [str(exe), "export", str(folder), "-o", url, "--json"], stdout=subprocess.PIPE, text=True
    )


def test_two_exports_racing_into_one_database_run_one_after_the_other(
    database: str, registry: Registry, tmp_path: Path
) -> None:
    """Two runs with other figures for the same 20 units: the database ends as one of them left it,
    never a mix, and their reports add up (20 new in one, 20 replaced in the other)."""
    form = registry.get(MAIN_FORM)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first, one_reports = _folder(tmp_path / "a", form, 20, seed=1)
    second, two_reports = _folder(tmp_path / "b", form, 20, seed=2)
    expected = {
        folder: {r.meta.unit: dict(r.values) for r in reports}
        for folder, reports in ((first, one_reports), (second, two_reports))
    }
    for _ in range(2):
        one, two = _racer(database, first), _racer(database, second)
        outs = [json.loads(p.communicate(timeout=300)[0]) for p in (one, two)]
        assert [p.returncode for p in (one, two)] == [0, 0]
        stored = _stored(database)
        assert stored in (expected[first], expected[second])  # one export's state, never a mix
        changed = sum(o["new"] + len(o["replaced"]) for o in outs)
        assert changed in (20, 40)  # the later one replaced all 20 (or, the second time, both did)
        assert all(o["new"] + len(o["replaced"]) + o["unchanged"] == 20 for o in outs)
