"""Many inputs at once: expand the paths given, run one task per input, one result per input.

- :func:`expand` turns command-line paths into :class:`Input` s: files as given, folders searched
  recursively for returns (.xlsx, .json, and spreadsheets we can name the problem of), patterns
  (``*``, ``?``, ``[…]``, ``**``) expanded here for shells that don't. Office lock files (``~$…``), hidden
  files and folders, other kinds of file and a second mention of one file become *skipped* inputs
  carrying the reason, so that every input is accounted for. A table (a .csv, or an .xlsx that is no
  template: ``specs/export.md``) becomes one input per return it holds, named by its row
  (``figures.csv#row 3``), read as the table is expanded; a row that cannot be read is its own
  unusable input, never the end of the table.
- :func:`run_bulk` runs a task per input in ``jobs`` long-lived worker processes, each input under the
  time and memory budget of :mod:`unionforms.collect.workers`, and yields results in input order as they come
  (nothing is kept to the end); an input past its budget is ``unusable`` (IN-092, IN-093).
- :func:`check` is the task of ``validate``: read and check one input, every failure turned into a
  result (``unusable`` with its IN- code), never an exception.

Nothing here prints: the caller decides how results are shown.
"""

from __future__ import annotations

import datetime
import enum
import glob
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from unionforms.collect.workers import Budget, imap
from unionforms.core.catalogue import CATALOGUE, render
from unionforms.core.errors import InputError, UnionformsError
from unionforms.core.findings import Finding, status_of
from unionforms.core.inputs import real_path
from unionforms.core.portable import safe_relative
from unionforms.core.report import ReadResult, Report, figures_digest
from unionforms.plugins.registry import Registry, default_registry

#: Extensions taken from a folder: returns, and spreadsheet files whose problem we can name (IN-002).
RETURN_SUFFIXES = (".xlsx", ".xlsm", ".json")
SPREADSHEET_SUFFIXES = (".xls", ".xlsb", ".et", ".ods", ".csv", ".wps")
_PATTERN_CHARS = frozenset("*?[")


class State(enum.Enum):
    """Where an input ended: exactly one of these."""

    OK = "ok"
    WARNINGS = "warnings"
    ERRORS = "errors"
    UNUSABLE = "unusable"
    SKIPPED = "skipped"

    @property
    def chinese(self) -> str:
        return _CHINESE[self]


_CHINESE = {
    State.OK: "通过",
    State.WARNINGS: "有警告",
    State.ERRORS: "有错误",
    State.UNUSABLE: "无法读取",
    State.SKIPPED: "已跳过",
}


@attrs.frozen
class Input:
    """One input: its path as the user will recognise it, the folder it was found in, and, for an input
    that is skipped, the code of why (IN-076 … IN-079).

    A row of a table is named ``table.csv#row 3`` in ``path``; ``table`` is the file it is in and ``row``
    the return as read (or the InputError saying why that row is none).
    """

    path: str
    root: str | None = None
    skipped: str | None = None
    table: str | None = None
    row: ReadResult | InputError | None = None

    @property
    def file(self) -> str:
        """The file the input is in (the table, for a row of one)."""
        return self.table or self.path

    @property
    def relative(self) -> Path:
        """The path under the folder it was found in (the file name for a file given directly); a row
        of a table is a file of its own there, named by the table and its row (``figures#row 3``)."""
        rel = Path(self.file).name if self.root is None else os.path.relpath(self.file, self.root)
        if self.table is None:
            return Path(rel)
        return Path(rel).with_suffix("").with_name(Path(rel).stem + self.path[len(self.table) :])


@attrs.frozen
class Result:
    """What became of one input.

    ``code`` and ``reason`` (``reason_en``, the raw ``detail``) say why an input is unusable or skipped:
    its IN- code and the catalogue's message, what and how to fix it, with where in the file it
    happened (the Chinese ``reason`` does not repeat the code or the file); ``report`` is kept
    only when the task asks for it (aggregation), so that checking thousands of files stays small;
    ``date`` (填报日期) and ``digest`` (:func:`~unionforms.core.report.figures_digest`) are what
    :mod:`unionforms.collect.current` needs to tell a correction from a duplicate.
    """

    file: str
    state: State
    form: str | None = None
    unit: str | None = None
    findings: tuple[Finding, ...] = ()
    code: str | None = None
    reason: str | None = None
    reason_en: str | None = None
    detail: str | None = None
    report: Report | None = None
    extra: Any = None
    date: datetime.date | None = None
    digest: str | None = None

    @property
    def errors(self) -> int:
        return sum(f.is_error for f in self.findings)

    @property
    def warnings(self) -> int:
        return len(self.findings) - self.errors

    @property
    def usable(self) -> bool:
        return self.state in (State.OK, State.WARNINGS, State.ERRORS)


def expand(paths: Iterable[str], registry: Registry | None = None, *, lazy: bool = False) -> list[Input]:
    """Every input named by ``paths``, in the order given (a folder's files sorted), each path once;
    a table's returns (read with ``registry``) one input each.

    ``lazy`` leaves an .xlsx as one input without opening it, whether it is a template or a table: the
    worker that reads it says when it is a table (:data:`TABLE`), and :func:`run_bulk` expands it then. The
    parent of a bulk run then opens no workbook at all (a CSV is always a table, expanded here)."""
    out: list[Input] = []
    seen: set[object] = set()

    def add(item: Input) -> None:
        key = file_identity(item.path)
        if item.skipped is None and key in seen:
            item = attrs.evolve(item, skipped="IN-079")
        seen.add(key)
        out.append(item)

    for arg in paths:
        if not os.path.lexists(arg) and _PATTERN_CHARS & set(arg):
            matches = sorted(glob.glob(arg, recursive=True))
            if not matches:
                out.append(Input(arg))  # reading it says IN-001: no such file
            for match in matches:
                for item in _one(match, None):
                    add(item)
            continue
        for item in _one(arg, None):
            add(item)
    return [row for item in out for row in _rows(item, registry, lazy=lazy)]


def _rows(item: Input, registry: Registry | None, *, lazy: bool = False) -> Iterator[Input]:
    """The input itself, or, for a table, one input per return it holds (every row accounted for)."""
    from unionforms.io.reading import is_table, read_many

    if item.skipped is not None or item.row is not None:
        yield item
        return
    if (lazy and not item.path.lower().endswith(".csv")) or not is_table(item.path):
        yield item
        return
    from unionforms.io.tables import MAX_TABLE_RETURNS

    rows: list[Input] = []
    for entry in read_many(item.path, registry or default_registry()):
        name = entry.file if isinstance(entry, InputError) else entry.source.file
        if not name or name == item.path:  # the whole table is unusable: the file is the input
            rows.append(attrs.evolve(item, row=entry if isinstance(entry, InputError) else None))
            continue
        if len(rows) >= MAX_TABLE_RETURNS:  # never read in part: the table is one unusable input
            error = InputError("IN-065", limit=MAX_TABLE_RETURNS, file=item.path)
            yield attrs.evolve(item, row=error)
            return
        rows.append(attrs.evolve(item, path=name, table=item.path, row=entry))
    yield from rows


def output_paths(inputs: Sequence[Input], outdir: str | Path, suffix: str = ".xlsx") -> dict[str, Path]:
    """Where each input's output goes under ``outdir``: its path under the folder it came from, with
    ``suffix``. Two inputs that would write the same file (甲.json beside 甲.xlsx, or 甲.xlsx from two
    folders given directly; names compared as Windows and macOS do, ignoring case) get 甲 (2).xlsx,
    甲 (3).xlsx … in input order, so no output of a run replaces another. Every name made is valid on
    Windows too (:func:`.portable.safe_name`)."""
    out: dict[str, Path] = {}
    taken: set[str] = set()
    for item in inputs:
        if item.skipped is not None:
            continue
        natural = Path(outdir) / safe_relative(item.relative.with_suffix(suffix))
        path, n = natural, 1
        while os.path.normcase(str(path)).casefold() in taken:
            n += 1
            path = natural.with_name(f"{natural.stem} ({n}){suffix}")
        taken.add(os.path.normcase(str(path)).casefold())
        out[item.path] = path
    return out


def file_identity(path: str | Path) -> object:
    """What tells one file from another: its device and inode as one number (one ``stat``, through
    links), or for a path that does not exist its real path."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return real_path(path)
    return st.st_dev << 64 | st.st_ino


def _one(path: str, root: str | None) -> Iterator[Input]:
    if os.path.isdir(path):
        yield from _folder(path)
        return
    reason = _skip_reason(Path(path).name, given=root is None)
    yield Input(path, root, reason)


def _folder(top: str) -> Iterator[Input]:
    """Every file under ``top``, walked whole: a folder's files in name order, then its subfolders.

    A link to a folder is followed once; a link out of ``top`` is skipped (IN-086), a folder met again
    (a loop, or a second link to it) is skipped (IN-087), and a folder that cannot be listed is an
    unusable input (IN-088): nothing under ``top`` vanishes unaccounted for."""
    inside = real_path(top)
    walked = {_folder_identity(top)}

    def walk(folder: str) -> Iterator[Input]:
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            error = InputError("IN-088", file=folder, detail=f"{type(exc).__name__}: {exc}")
            yield Input(folder, top, row=error)
            return
        folders = []
        for entry in entries:
            try:
                is_folder = entry.is_dir()  # through a link
            except OSError as exc:  # a link that cannot be followed (/proc/1/cwd): the folder unreadable
                error = InputError("IN-088", file=entry.path, detail=f"{type(exc).__name__}: {exc}")
                yield Input(entry.path, top, row=error)
                continue
            if not is_folder:
                yield Input(entry.path, top, _skip_reason(entry.name, given=False))
            elif entry.name.startswith("."):
                yield Input(entry.path, top, "IN-077")
            else:
                folders.append(entry)
        for entry in folders:
            if entry.is_symlink():
                real = real_path(entry.path)
                if real != inside and not real.startswith(inside.rstrip(os.sep) + os.sep):
                    yield Input(entry.path, top, "IN-086")
                    continue
            identity = _folder_identity(entry.path)
            if identity in walked:
                yield Input(entry.path, top, "IN-087")
                continue
            walked.add(identity)
            yield from walk(entry.path)

    yield from walk(top)


def _folder_identity(path: str) -> object:
    try:
        st = os.stat(path)
    except OSError:
        return real_path(path)
    return (st.st_dev, st.st_ino)


def _skip_reason(name: str, *, given: bool) -> str | None:
    if name.startswith("~$"):
        return "IN-076"
    if name.startswith("."):
        return "IN-077"
    suffix = Path(name).suffix.lower()
    if given or suffix in RETURN_SUFFIXES or suffix in SPREADSHEET_SUFFIXES:
        return None
    return "IN-078"


def skipped(item: Input) -> Result:
    """The result of a skipped input."""
    assert item.skipped is not None
    shown = render(item.skipped, {})
    return Result(
        item.path,
        State.SKIPPED,
        code=item.skipped,
        reason=shown.text_zh,
        reason_en=shown.text_en,
    )


#: Where in a file an error happened, as a reason names it (the file is the result's own).
_PLACES = (("form", "表式"), ("sheet", "工作表"), ("cell", "单元格"), ("field", "栏目"))


#: What a task lets through to its worker, which names it (IN-093) and starts afresh.
UNBOUNDED = (MemoryError, RecursionError)


def as_error(file: str, exc: BaseException) -> UnionformsError:
    """``exc`` when it is one of ours; any other exception is IN-094 naming ``file``, its text the detail."""
    if isinstance(exc, UnionformsError):
        return exc
    return InputError("IN-094", file=file, detail=f"{type(exc).__name__}: {exc}")


def unusable(file: str, exc: BaseException) -> Result:
    """The result of an input that cannot be used; an unexpected exception is IN-094 (:func:`as_error`)."""
    exc = as_error(file, exc)
    places = [f"{zh} {getattr(exc, key)}" for key, zh in _PLACES if getattr(exc, key) is not None]
    if exc.file is not None and exc.file != file:  # another file than the input: an output it was to make
        places.insert(0, f"输出文件 {exc.file}")
    place = "，".join(places)
    shows_detail = CATALOGUE[exc.code].show_detail
    return Result(
        file,
        State.UNUSABLE,
        code=exc.code,
        reason=(f"[{place}] " if place else "") + exc.message + exc.hint,
        # a plugin's failure (PLUG-010) shows its author where, as the error does when raised
        reason_en=exc.text_en() + (f"\n    详情 detail: {exc.detail}" if exc.detail and shows_detail else ""),
        detail=exc.detail,
    )


# --- running ------------------------------------------------------------------------------------


#: What a task gives for an input of :func:`expand` (``lazy``) that turns out to be a table.
TABLE = "table"


def run_bulk(
    task: Callable[[Input], Result],
    inputs: Sequence[Input],
    *,
    jobs: int = 1,
    budget: Budget | None = None,
    registry: Registry | None = None,
) -> Iterator[Result]:
    """``task(input)`` for every input, in ``jobs`` worker processes, yielded in input order when ready.

    Each input runs under ``budget`` (:mod:`unionforms.collect.workers`): past it, or when its task fails in a
    way it did not turn into a result itself, the input is ``unusable`` with its code. An input that
    the task found to be a table (``extra`` :data:`TABLE`) is expanded here, with ``registry``, and
    each of its rows run through the task in this process (its rows are read as the table is).
    """
    for item, outcome in zip(inputs, imap(task, inputs, label=_path, jobs=jobs, budget=budget), strict=True):
        if not isinstance(outcome, BaseException) and outcome.extra == TABLE:
            for row in _rows(item, registry):
                yield task(row)
            continue
        if isinstance(outcome, BaseException):
            yield unusable(item.path, outcome)
        elif outcome.file == item.path and outcome.file is not item.path:
            yield attrs.evolve(outcome, file=item.path)  # one copy of each path, for what is kept
        else:
            yield outcome


def _path(item: Input) -> str:
    return item.path


# --- the validate task --------------------------------------------------------------------------


@attrs.frozen
class Check:
    """Read and check one input; a result whatever happens.

    ``keep_report`` keeps the typed report in the result; ``then`` (e.g. writing an annotated copy)
    runs on each result in the same worker, and must itself return a result, never raise.
    """

    registry: Registry | None = None
    keep_report: bool = False
    then: Callable[[Input, Result], Result] | None = None

    def __call__(self, item: Input) -> Result:
        if item.skipped is not None:
            return skipped(item)
        if item.row is not None:  # read when its table was expanded
            return self._row(item)
        try:
            result = self._check(item.path)
        except UNBOUNDED:  # for the worker to name (IN-093)
            raise
        except Exception as exc:  # one bad file never stops a run
            if _table(item.path):
                return Result(item.path, State.SKIPPED, extra=TABLE)
            return unusable(item.path, exc)
        return self.then(item, result) if self.then is not None else result

    def _row(self, item: Input) -> Result:
        if isinstance(item.row, InputError):
            return unusable(item.path, item.row)
        assert item.row is not None
        try:
            result = self._result(item.path, item.row)
        except Exception as exc:  # one bad row never stops a run
            return unusable(item.path, exc)
        return self.then(item, result) if self.then is not None else result

    def _check(self, path: str) -> Result:
        from unionforms.io.reading import read_report

        return self._result(path, read_report(path, self.registry or default_registry()))

    def _result(self, path: str, read: ReadResult) -> Result:
        from unionforms.core.validate import check_read

        findings = tuple(check_read(read))  # an empty report is CHK-003, as for a single file
        return Result(
            path,
            State(status_of(findings)),
            form=read.form.id,
            unit=read.report.meta.unit,
            findings=findings,
            report=read.report if self.keep_report else None,
            date=read.report.meta.date,
            digest=figures_digest(read.report),
        )


def _table(path: str) -> bool:
    """Whether an .xlsx that is no template is a table (asked only once reading it as one failed)."""
    if not path.lower().endswith((".xlsx", ".xlsm")):
        return False
    from unionforms.io.reading import is_table

    return is_table(path)


# --- the fill task ------------------------------------------------------------------------------


@attrs.frozen
class Fill:
    """Read one report and write its filled template under ``outdir`` (its name, as .xlsx).

    The result is ``ok``/``warnings``/``errors`` by the reading's findings, with the written path in
    ``extra``; a report that cannot be read or written is ``unusable``. An output that would replace an
    input is refused (OUT-001), and an existing output is kept unless ``force`` (OUT-002).
    """

    outdir: str
    registry: Registry | None = None
    password: str | None = None
    inputs: frozenset[object] = frozenset()  # the inputs' file_identity
    single: str | None = None  # for one report: the output file itself
    force: bool = False
    targets: Mapping[str, Path] = attrs.field(factory=dict, hash=False)  # from output_paths

    def target(self, item: Input) -> Path:
        if self.single is not None:
            return Path(self.single)
        return self.targets.get(item.path) or output_paths([item], self.outdir)[item.path]

    def __call__(self, item: Input) -> Result:
        if item.skipped is not None:
            return skipped(item)
        try:
            from unionforms.core.errors import InputError
            from unionforms.excel.fill import fill
            from unionforms.io.reading import read_report

            registry = self.registry or default_registry()
            if isinstance(item.row, InputError):
                raise item.row
            read = item.row or read_report(item.path, registry)
            path = self.target(item)
            if file_identity(path) in self.inputs:
                raise InputError("OUT-001", input=str(path), file=str(path))  # path is that input
            fill(
                read.form,
                read.report,
                path,
                password=self.password,
                registry=self.registry,
                force=self.force,
                inputs=[item.path],
            )
        except UNBOUNDED:
            raise
        except Exception as exc:
            return unusable(item.path, exc)
        return Result(
            item.path,
            State(status_of(read.findings)),
            form=read.form.id,
            unit=read.report.meta.unit,
            findings=read.findings,
            extra=str(path),
        )
