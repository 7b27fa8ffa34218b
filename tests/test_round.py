"""A whole collecting round (issue 17): status, validate, aggregate and export tell the same story.

The round of :mod:`tests.round_folder` — 30 listed units, 4 missing, 2 corrections (one after its
original was annotated), a conflict, an unlisted unit, last year's form, an unusable file and a lock
file — run through the command line. Every route (the total, a pandas sum of the CSV's current rows,
the user guide's SQL in SQLite and PostgreSQL) gives the sum computed here without unionforms.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from unionforms import Kind, Registry
from unionforms.cli import main

from .pgserver import bin_dir
from .round_folder import DUE, FORM, Round, expected_total, make_round, unit_name
from .test_sql import postgres_server  # noqa: F401  (the PostgreSQL fixture)

ROOT = Path(__file__).parent.parent


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def round_(registry: Registry, tmp_path_factory: pytest.TempPathFactory) -> Round:
    return make_round(tmp_path_factory.mktemp("round"), registry)


def _annotated_then_fixed(rnd: Round, registry: Registry, capsys: pytest.CaptureFixture[str]) -> None:
    """The first check of the round: the unit's erroneous return is annotated, then comes back fixed."""
    if rnd.fix[1].exists():
        return
    outdir = rnd.root / "退回修改"
    _, out, _ = _run(capsys, "validate", str(rnd.returns), "--annotate", str(outdir), "--json")
    data = json.loads(out)
    original = next(f for f, now in rnd.superseded.items() if now == rnd.fix[1])
    [entry] = [f for f in data["files"] if f["file"] == str(original)]
    assert entry["status"] == "errors" and entry["annotated"]
    # a second run does not replace the copies already there (a corrected one, maybe): OUT-002
    _, _, err = _run(capsys, "validate", str(rnd.returns), "--annotate", str(outdir))
    assert "OUT-002" in err and "已写出 0 份批注副本" in err
    rnd.send_fix(registry)


def test_status_tells_who_reported_who_is_missing_and_what_replaced_what(
    round_: Round, registry: Registry, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _annotated_then_fixed(round_, registry, capsys)
    book = tmp_path / "报送进度.xlsx"
    code, out, _ = _run(
        capsys,
        "status",
        str(round_.returns),
        "--units",
        str(round_.roster),
        "--form",
        FORM,
        "--due",
        DUE.isoformat(),
        "--json",
        "-o",
        str(book),
    )
    assert code == 1  # units are missing
    data = json.loads(out)
    units = {u["name"]: u for u in data["units"]}
    assert len(units) == 30
    assert {n for n, u in units.items() if u["state"] == "未报"} == set(round_.missing)
    s = data["summary"]
    assert s["listed"] == 30 == s["reported"] + s["missing"] and s["missing"] == 4
    # files: every input once, in exactly one standing
    assert s["inputs"] == round_.inputs
    standings = (
        "current",
        "superseded",
        "conflict",
        "other_form",
        "not_listed",
        "no_unit",
        "unusable",
        "skipped",
    )
    assert s["inputs"] == sum(s[k] for k in standings)
    by_file = {f["file"]: f for f in data["files"]}
    assert {f for f, v in by_file.items() if v["standing"] == "current"} == {
        str(p) for p in round_.current.values()
    }
    for old, new in round_.superseded.items():
        assert by_file[str(old)]["standing"] == "superseded" and by_file[str(old)]["current"] == str(new)
        assert str(old) in units[by_file[str(new)]["listed_as"]]["replaced"]
    for path in round_.conflict:
        assert by_file[str(path)]["standing"] == "conflict" and by_file[str(path)]["code"] == "AGG-005"
    assert units[unit_name(5)]["state"] == "冲突"
    unlisted = by_file[str(round_.not_listed)]
    assert unlisted["standing"] == "not_listed" and unlisted["suggestions"] == ["乐山高新区工会"]
    assert by_file[str(round_.other_form)]["standing"] == "other_form"
    assert by_file[str(round_.unusable)]["standing"] == "unusable"
    assert by_file[str(round_.lock)]["standing"] == "skipped"
    # the alias, written with full-width spaces, is the listed unit
    assert units["五通桥区总工会"]["state"] != "未报"
    assert units[round_.late]["late"] and s["late"] == 1
    assert units[unit_name(6)]["state"] == "有错误"
    # the 催报 workbook: a row per listed unit with whom to call, every file on the second sheet
    import openpyxl

    wb = openpyxl.load_workbook(book)
    rows = list(wb["报送进度"].iter_rows(min_row=3, values_only=True))
    assert [r[1] for r in rows] == [unit_name(i) for i in range(30)]
    missing_rows = [r for r in rows if r[4] == "未报"]
    assert {r[1] for r in missing_rows} == set(round_.missing) and all(r[10] for r in missing_rows)
    assert wb["报送进度"].page_setup.orientation == "landscape"
    assert len(list(wb["文件"].iter_rows(min_row=3))) == round_.inputs


def test_validate_marks_what_does_not_count(
    round_: Round, registry: Registry, capsys: pytest.CaptureFixture[str]
) -> None:
    _annotated_then_fixed(round_, registry, capsys)
    code, out, _ = _run(
        capsys, "validate", str(round_.returns), "--form", FORM, "--units", str(round_.roster)
    )
    assert code == 2  # an unusable file
    lines = out.splitlines()
    superseded = [line for line in lines if line.startswith("已被替代")]
    assert {line.split("\t")[1] for line in superseded} == {str(p) for p in round_.superseded}
    assert all("AGG-003" in line and "更正" in line for line in superseded)  # with its remedy
    assert sum(line.startswith("冲突待定") for line in lines) == 2
    assert any(line.strip().startswith("其他表式") for line in lines)
    code, out, _ = _run(capsys, "validate", str(round_.returns), "--json", "--units", str(round_.roster))
    data = json.loads(out)
    assert data["round_summary"]["form"] == FORM  # the form of most returns, without --form
    assert data["round_summary"]["other_form"] == 1


def _sql_total(url: str, form_id: str, registry: Registry) -> dict[str, object]:
    text = (ROOT / "docs" / "user-guide.md").read_text(encoding="utf-8")
    [query] = re.findall(r"```sql\n(.*?)```", text, re.DOTALL)
    form = registry.get(form_id)
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text(query)).all()
    engine.dispose()
    got: dict[str, object] = {}
    for code, _label, _unit, count_total, money_hundredths, _yes, _no in rows:
        kind = form.fields[code].kind
        if kind is Kind.COUNT:
            got[code] = int(count_total)
        elif kind is Kind.MONEY:
            got[code] = Decimal(int(money_hundredths)) / 100
    return got


def test_every_route_gives_one_total(
    round_: Round,
    registry: Registry,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    _annotated_then_fixed(round_, registry, capsys)
    form = registry.get(FORM)
    expected = expected_total(round_, form)
    round_args = ["--units", str(round_.roster), "--form", FORM]
    # 1. aggregate, with completeness
    total_path = tmp_path / "乐山市汇总.json"
    _, out, _ = _run(
        capsys, "aggregate", str(round_.returns), "--unit", "乐山市总工会", *round_args, "-o", str(total_path)
    )
    total = json.loads(total_path.read_text(encoding="utf-8"), parse_float=Decimal)
    sums = {c: v for c, v in total["values"].items() if form.fields[c].kind is not Kind.FLAG}
    got = {c: (Decimal(v) if form.fields[c].kind is Kind.MONEY else v) for c, v in sums.items()}
    assert got == expected
    c = total["provenance"]["completeness"]
    assert (c["expected"], c["reported"], set(c["missing"])) == (30, 26, set(round_.missing))
    assert "缺报单位" in out
    assert "AGG-007" in out  # the total's warning while units are missing
    # the level above adds the county's total up: the county's completeness travels with it
    province = tmp_path / "p.json"
    _run(
        capsys,
        "aggregate",
        str(total_path),
        "--unit",
        "四川省总工会",
        "--include-errors",
        "-o",
        str(province),
    )
    nested = json.loads(province.read_text(encoding="utf-8"))
    carried = nested["provenance"]["included"][0]["provenance"]["completeness"]
    assert carried["missing"] == c["missing"]  # the county's completeness travels up
    # and so it does from the printed total: the 汇总来源 sheet's 名录 row is read back
    book = tmp_path / "乐山市汇总.xlsx"
    _run(capsys, "aggregate", str(round_.returns), "--unit", "乐山市总工会", *round_args, "-o", str(book))
    _run(
        capsys,
        "aggregate",
        str(book),
        "--unit",
        "四川省总工会",
        "--include-errors",
        "-o",
        str(province),
        "--force",
    )
    nested = json.loads(province.read_text(encoding="utf-8"))
    assert nested["provenance"]["included"][0]["provenance"]["completeness"] == c
    # 2. the long CSV: a pandas sum of the current rows without errors
    pd = pytest.importorskip("pandas")
    csv_path = tmp_path / "figures.csv"
    assert _run(capsys, "export", str(round_.returns), *round_args, "-o", str(csv_path))[0] == 2
    frame = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    assert set(frame["standing"]) >= {"current", "superseded", "conflict", "not_listed"}
    counted = frame[(frame["current"] == "是") & (frame["status"] != "errors") & (frame["code"] != "")]
    by_pandas: dict[str, object] = {}
    for code_, values in counted.groupby("code")["value"]:
        kind = form.fields[code_].kind
        if kind is Kind.COUNT:
            by_pandas[code_] = sum(int(v) for v in values)
        elif kind is Kind.MONEY:
            by_pandas[code_] = sum((Decimal(v) for v in values), Decimal(0))
    assert by_pandas == expected
    # 3. the user guide's SQL, in SQLite and in PostgreSQL
    urls = [f"sqlite:///{tmp_path / 'figures.db'}"]

    if bin_dir() is not None:
        server: str = request.getfixturevalue("postgres_server")
        admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql("CREATE DATABASE round17")
        admin.dispose()
        urls.append(re.sub(r"/unionforms\?", "/round17?", server))
    for url in urls:
        _run(capsys, "export", str(round_.returns), *round_args, "-o", url)
        _run(capsys, "export", str(total_path), "-o", url)  # the total itself is left out by the SQL
        assert _sql_total(url, FORM, registry) == expected, url
    if len(urls) < 2:
        pytest.skip("PostgreSQL is not installed: only SQLite was compared")
