"""Hostile and broken inputs: the generated corpus and fuzzed files get a verdict, never a crash or a hang.

The corpus (``tests/hostile/make_corpus.py``) lists what each file must give. The fuzz tests mutate the
bytes of a real template's zip, the XML of its parts, and a report's JSON text (Hypothesis, derandomized:
the same examples on every run); the only allowed outcomes are a report or an InputError with a catalogue
code, and whatever is found must print and serialise (no lone surrogate or raw control character).
"""

from __future__ import annotations

import functools
import io
import json
import os
import signal
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from unionforms import CATALOGUE, InputError, Registry
from unionforms.collect import workers
from unionforms.core.display import finding_line
from unionforms.core.report import ReadResult
from unionforms.core.validate import check_rules
from unionforms.io.jsonio import finding_to_dict
from unionforms.io.reading import read_report

from .hostile.make_corpus import USABLE, Entry, good_report, good_template, make
from .pgserver import bin_dir
from .test_sql import postgres_server  # noqa: F401  (the PostgreSQL fixture)
from .test_workers import bounded

FUZZ_EXAMPLES = int(os.environ.get("UNIONFORMS_FUZZ_EXAMPLES", "300"))  # per fuzz test; three tests
_HANG = 60  # seconds after which one read counts as a hang


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, registry: Registry) -> tuple[Path, list[Entry]]:
    folder = tmp_path_factory.mktemp("hostile")
    return folder, make(folder, registry)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory, registry: Registry) -> bytes:
    path = tmp_path_factory.mktemp("fuzz") / "good.xlsx"
    good_template(registry, path)
    return path.read_bytes()


class Hang(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise Hang


@pytest.fixture(autouse=True)
def no_hang() -> Iterator[None]:
    """A read that takes more than a minute fails the test (instead of hanging the suite)."""
    old = signal.signal(signal.SIGALRM, _alarm)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


def _outcome(path: Path, registry: Registry) -> ReadResult | InputError:
    """Read and check ``path`` in this process: a result, or the InputError; anything else propagates."""
    signal.alarm(_HANG)
    try:
        result = read_report(path, registry)
    except InputError as exc:
        assert exc.code in CATALOGUE
        json.dumps({"code": exc.code, "message": str(exc)}, ensure_ascii=False).encode("utf-8")
        return exc
    finally:
        signal.alarm(0)
    findings = [*result.findings, *check_rules(result.form, result.report, result.source)]
    for f in findings:
        assert f.code in CATALOGUE
        finding_line(f).encode("utf-8")  # printable: no lone surrogate
        json.dumps(finding_to_dict(f), ensure_ascii=False).encode("utf-8")
    return result


# --- the corpus ----------------------------------------------------------------------------------


def test_every_corpus_file_gets_its_verdict(corpus: tuple[Path, list[Entry]], registry: Registry) -> None:
    folder, entries = corpus
    assert len(entries) >= 50
    wrong = []
    for entry in entries:
        got = _outcome(folder / entry.name, registry)
        if isinstance(got, InputError):
            verdict = got.code
            ok = entry.expect == got.code
        else:
            verdict = USABLE
            codes = {f.code for f in got.findings}
            ok = entry.expect == USABLE and (entry.finding is None or entry.finding in codes)
        if not ok:
            wrong.append((entry.name, entry.expect, verdict))
    assert wrong == []


def test_bombs_in_parts_not_parsed_are_never_inflated(
    corpus: tuple[Path, list[Entry]], registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reading decompresses only workbook, relationships and the sheets: record which members are read."""
    from unionforms.excel.safety import SafeZip

    folder, _ = corpus
    read: list[str] = []
    original = SafeZip.chunks

    def recording(self: SafeZip, name: str, limit: int | None = None) -> Iterator[bytes]:
        read.append(name)
        return original(self, name, limit)

    monkeypatch.setattr(SafeZip, "chunks", recording)
    result = read_report(folder / "lying-styles.xlsx", registry)  # styles inflate to 50 MiB, unread
    assert result.report.values
    assert set(read) == {
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "xl/worksheets/sheet1.xml",
        "xl/worksheets/sheet2.xml",
    }
    assert not any(
        name.startswith(("docProps/", "[Content_Types]", "xl/styles", "xl/theme")) for name in read
    )


def test_each_file_costs_little_under_its_budget(
    corpus: tuple[Path, list[Entry]], registry: Registry
) -> None:
    """Each corpus file read in a budgeted child, as bulk runs do; the figures are printed (-s)."""
    folder, entries = corpus
    rows = []
    for entry in entries:
        usage: list[workers.Usage] = []
        read = functools.partial(_verdict, folder / entry.name, registry)
        try:
            bounded(read, file=entry.name, usage=usage)
        except InputError as exc:
            assert exc.code not in ("IN-092", "IN-093", "IN-094"), (entry.name, str(exc))
        rows.append((usage[0].seconds, usage[0].peak_memory, entry.name))
    slowest = max(rows)
    largest = max(rows, key=lambda r: r[1])
    print(
        f"\n{len(rows)} corpus files; slowest {slowest[2]} {slowest[0]:.3f} s; "
        f"largest peak memory {largest[2]} {largest[1] / 2**20:.0f} MiB"
    )


def _verdict(path: Path, registry: Registry) -> str:
    try:
        read_report(path, registry)
    except InputError as exc:
        return exc.code
    return USABLE


def test_validate_lists_every_file_of_a_mixed_folder(corpus: tuple[Path, list[Entry]]) -> None:
    """The real bulk command over the whole corpus folder: every file listed with its state and code,
    the good ones validated, exit 2, no crash."""
    folder, entries = corpus
    run = subprocess.run(
        [str(Path(sys.executable).with_name("unionforms")), "validate", "--json", str(folder)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 2, run.stderr[-2000:]
    assert "Traceback" not in run.stderr + run.stdout and "internal error" not in run.stderr
    data = json.loads(run.stdout)
    listed = {Path(f["file"]).name: f for f in data["files"]}
    summary = data["summary"]
    assert (
        summary["inputs"]
        == len(data["files"])
        == sum(summary[s] for s in ("ok", "warnings", "errors", "unusable", "skipped"))
    )
    for entry in entries:
        if (folder / entry.name).is_dir() and not (folder / entry.name).is_symlink():
            continue  # a folder named like a return is searched, not read (given by name it is IN-010)
        got = listed.get(entry.name)
        assert got is not None, f"{entry.name} is not listed"
        if entry.expect == USABLE:
            assert got["status"] in ("ok", "warnings", "errors"), (entry.name, got)
            if entry.name.startswith("good."):
                assert got["findings"] == [] and got["status"] == "ok", got
            if entry.finding:
                assert any(f["code"] == entry.finding for f in got["findings"]), (entry.name, got)
        else:
            assert got["status"] in ("unusable", "skipped"), (entry.name, got)
            if got["status"] == "unusable":
                assert got["code"] == entry.expect, (entry.name, got["code"], got["reason"])


# --- fuzzing -------------------------------------------------------------------------------------

_FUZZ = settings(
    max_examples=FUZZ_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)

_mutations = st.lists(
    st.tuples(
        st.floats(0, 1, exclude_max=True),
        st.sampled_from(["flip", "zero", "cut", "dup", "byte"]),
        st.integers(0, 255),
    ),
    min_size=1,
    max_size=4,
)


def _mutate(data: bytes, mutations: list[tuple[float, str, int]]) -> bytes:
    out = bytearray(data)
    for where, how, value in mutations:
        if not out:
            break
        i = int(where * len(out))
        if how == "flip":
            out[i] ^= 1 << (value % 8)
        elif how == "zero":
            out[i : i + value] = bytes(len(out[i : i + value]))
        elif how == "cut":
            del out[i : i + value + 1]
        elif how == "dup":
            out[i:i] = out[i : i + value]
        else:
            out[i] = value
    return bytes(out)


@_FUZZ
@given(mutations=_mutations)
def test_fuzzed_zip_bytes(
    mutations: list[tuple[float, str, int]], template: bytes, registry: Registry, tmp_path: Path
) -> None:
    path = tmp_path / "f.xlsx"
    path.write_bytes(_mutate(template, mutations))
    _outcome(path, registry)


_PARTS = [
    "xl/workbook.xml",
    "xl/_rels/workbook.xml.rels",
    "xl/worksheets/sheet1.xml",
    "xl/worksheets/sheet2.xml",
    "_rels/.rels",
]


@_FUZZ
@given(part=st.sampled_from(_PARTS), mutations=_mutations)
def test_fuzzed_xml_parts(
    part: str, mutations: list[tuple[float, str, int]], template: bytes, registry: Registry, tmp_path: Path
) -> None:
    src = zipfile.ZipFile(io.BytesIO(template))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info)
            out.writestr(info.filename, _mutate(data, mutations) if info.filename == part else data)
    path = tmp_path / "f.xlsx"
    path.write_bytes(buf.getvalue())
    _outcome(path, registry)


@_FUZZ
@given(mutations=_mutations, text=st.text(max_size=8))
def test_fuzzed_json(
    mutations: list[tuple[float, str, int]], text: str, registry: Registry, tmp_path: Path
) -> None:
    good = json.dumps(good_report(registry), ensure_ascii=bool(len(text) % 2))
    where = int(mutations[0][0] * len(good))
    mutated = _mutate((good[:where] + text + good[where:]).encode("utf-8", "surrogatepass"), mutations)
    path = tmp_path / "f.json"
    path.write_bytes(mutated)
    _outcome(path, registry)


def test_the_corpus_through_every_command_that_writes(
    corpus: tuple[Path, list[Entry]], tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """validate --report --annotate, status -o, aggregate (xlsx and JSON), export to every file format
    and to SQLite and PostgreSQL, over the whole corpus: no exit 3, no traceback, every input accounted
    for, no text from a file written as a formula."""
    import openpyxl
    import sqlalchemy as sa

    folder, _ = corpus
    exe = str(Path(sys.executable).with_name("unionforms"))

    def run(*args: str) -> str:
        done = subprocess.run([exe, *args], capture_output=True, text=True, timeout=900, check=False)
        where = (args, done.stderr[-2000:])
        assert done.returncode in (0, 1, 2), where
        assert "Traceback" not in done.stderr and "internal error" not in done.stderr, where
        return done.stdout

    report, annotated = str(tmp_path / "r.xlsx"), str(tmp_path / "a")
    inputs = json.loads(run("validate", str(folder), "--json", "--report", report, "--annotate", annotated))
    inputs = inputs["summary"]["inputs"]
    assert (
        json.loads(run("status", str(folder), "--json", "-o", str(tmp_path / "s.xlsx")))["summary"]["inputs"]
        == inputs
    )
    total = json.loads(
        run("aggregate", str(folder), "--unit", "=1+1", "--json", "-o", str(tmp_path / "t.json"))
    )
    assert total["inputs"] == inputs
    run("aggregate", str(folder), "--unit", "=1+1", "-o", str(tmp_path / "t.xlsx"))
    targets = [str(tmp_path / f"e.{suffix}") for suffix in ("csv", "xlsx", "jsonl")]
    targets.append(f"sqlite:///{tmp_path / 'e.db'}")
    if bin_dir() is not None:  # on CI always (the fixture refuses to skip there)
        server: str = request.getfixturevalue("postgres_server")
        admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql("CREATE DATABASE hostile")
        admin.dispose()
        targets.append(server.replace("/unionforms?", "/hostile?"))
    for target in targets:
        summary = json.loads(run("export", str(folder), "-o", target, "--json"))
        assert sum(summary["statuses"].values()) == inputs, target  # every input, once
    for book, sheets in (("r.xlsx", None), ("s.xlsx", None), ("t.xlsx", ["汇总来源"])):
        wb = openpyxl.load_workbook(tmp_path / book)
        formulas = [
            f"{ws.title}!{c.coordinate}"
            for ws in wb.worksheets
            if sheets is None or ws.title in sheets  # the total's form sheet has its live checks
            for row in ws.iter_rows()
            for c in row
            if c.data_type == "f"
        ]
        assert formulas == [], (book, formulas[:5])
