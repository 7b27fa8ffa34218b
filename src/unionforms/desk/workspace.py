"""The round folder as the desk sees it, and each thing a page asks of it, through the library.

The round folder holds the 名录 (``名录.xlsx`` or ``--units``), the returns collected under ``收回/`` and
what the desk writes under ``输出/`` (templates, annotated copies, totals, exports), each a new file
that never replaces another. Uploads are copied into ``收回/`` under safe names (:mod:`.guard`), bounded
in count and size; the round is then checked in the background by
:func:`unionforms.collect.progress.check_round`, exactly as ``unionforms status`` checks it.
"""

from __future__ import annotations

import datetime
import os
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import IO, TYPE_CHECKING

import attrs

from unionforms.core.errors import InputError, UnionformsError
from unionforms.core.inputs import MAX_WORKBOOK_BYTES, too_large
from unionforms.desk.guard import upload_path

if TYPE_CHECKING:
    from unionforms.authoring.compare import YearComparison
    from unionforms.collect.progress import Progress
    from unionforms.collect.roster import Roster
    from unionforms.core.findings import Finding
    from unionforms.plugins.registry import Registry

RETURNS = "收回"
OUTPUTS = "输出"
ROSTER = "名录.xlsx"
MAX_FILES = 500  # files in one upload
MAX_UPLOAD_BYTES = 256 * 1024 * 1024  # one upload in all
_CHUNK = 1024 * 1024


@attrs.frozen
class Receipt:
    """What became of one uploaded file: where it was copied (relative to 收回), or why it was not."""

    name: str
    saved: str | None = None
    problem: str | None = None
    same: bool = False  # the same bytes were already there under that name: not copied twice


@attrs.define
class Checking:
    """The background check: how far it is, and the last round it decided."""

    total: int = 0
    done: int = 0
    running: bool = False
    again: bool = False
    progress: Progress | None = None
    checked_at: datetime.datetime | None = None
    problem: str | None = None


@attrs.define
class Workspace:
    """One round folder, its 名录 and form, and the desk's state of it (thread-safe)."""

    root: Path
    registry: Registry
    roster: Roster | None = None
    form: str | None = None
    due: datetime.date | None = None
    unit: str = ""  # 填报单位 of the total, e.g. 乐山市总工会
    jobs: int = 1
    checking: Checking = attrs.Factory(Checking)
    receipts: list[Receipt] = attrs.Factory(list)  # of the last upload, for the 收回 page
    _lock: threading.Lock = attrs.Factory(threading.Lock)

    @classmethod
    def open(cls, root: str | Path, registry: Registry, **options: object) -> Workspace:
        """The round folder ``root``, made when missing, with its 收回 and 输出 folders (DESK-002)."""
        path = Path(root).resolve()
        try:
            (path / RETURNS).mkdir(parents=True, exist_ok=True)
            (path / OUTPUTS).mkdir(exist_ok=True)
        except OSError as exc:
            raise InputError("DESK-002", reason=exc.strerror or type(exc).__name__, file=str(path)) from None
        return cls(path, registry, **options)  # type: ignore[arg-type]

    @property
    def returns(self) -> Path:
        return self.root / RETURNS

    @property
    def outputs(self) -> Path:
        return self.root / OUTPUTS

    # --- 收回: uploads ------------------------------------------------------------------------------

    def receive(self, uploads: Iterable[tuple[str, IO[bytes]]]) -> list[Receipt]:
        """Copy each ``(name, stream)`` into 收回 under its safe name; never over another file.

        A name refused (DESK-003) or a file over the input cap (IN-091) is its own receipt's problem;
        the others are taken. More than :data:`MAX_FILES` files are refused whole (DESK-004).
        """
        uploads = list(uploads)
        if len(uploads) > MAX_FILES:
            raise InputError("DESK-004", count=len(uploads), limit=MAX_FILES)
        receipts = []
        for name, stream in uploads:
            try:
                receipts.append(self._copy(name, stream))
            except UnionformsError as exc:
                receipts.append(Receipt(name, problem=str(exc)))
        self.receipts = receipts
        return receipts

    def _copy(self, name: str, stream: IO[bytes]) -> Receipt:
        relative = upload_path(name)
        data = stream.read(MAX_WORKBOOK_BYTES + 1)
        if len(data) > MAX_WORKBOOK_BYTES:
            raise too_large(name, len(data), MAX_WORKBOOK_BYTES)
        target = self.returns / relative
        if target.is_file() and target.read_bytes() == data:
            return Receipt(name, str(relative), same=True)
        target.parent.mkdir(parents=True, exist_ok=True)
        target = _fresh(target)
        with open(target, "xb") as fh:  # x: never over a file that appeared meanwhile
            fh.write(data)
        return Receipt(name, str(target.relative_to(self.returns)))

    # --- 进度: the background check ---------------------------------------------------------------

    def check(self) -> None:
        """Check the round in a background thread (again after it, when asked while it runs)."""
        with self._lock:
            if self.checking.running:
                self.checking.again = True
                return
            self.checking.running = True
            self.checking.done = 0
        threading.Thread(target=self._check, name="unionforms-desk-check", daemon=True).start()

    def _check(self) -> None:
        from unionforms.collect.batch import expand
        from unionforms.collect.progress import check_round

        while True:
            try:
                inputs = expand([str(self.returns)], self.registry, lazy=True)
                with self._lock:
                    self.checking.total = len(inputs)
                    self.checking.done = 0
                p = check_round(
                    inputs,
                    self.registry,
                    form=self.form,
                    roster=self.roster,
                    due=self.due,
                    jobs=self.jobs,
                    advance=self._advance,
                )
                problem = None
            except UnionformsError as exc:
                p, problem = None, str(exc)
            with self._lock:
                if p is not None:
                    self.checking.progress = p
                    self.checking.checked_at = datetime.datetime.now()
                self.checking.problem = problem
                if not self.checking.again:
                    self.checking.running = False
                    return
                self.checking.again = False

    def _advance(self) -> None:
        with self._lock:
            self.checking.done += 1

    def state(self) -> dict[str, object]:
        """How far the check is, for the page's progress bar."""
        with self._lock:
            c = self.checking
            return {"total": c.total, "done": c.done, "running": c.running, "problem": c.problem}

    def findings(self, file: str) -> tuple[Finding, ...]:
        """The findings of the current return (or return in conflict) ``file``, kept by the check."""
        p = self.checking.progress
        if p is not None:
            for v in p.round.verdicts:
                if v.file == file and isinstance(v.entry.payload, tuple):
                    return v.entry.payload
        return ()

    # --- files the desk writes ----------------------------------------------------------------------

    def output(self, folder: str, name: str) -> Path:
        """A new path under 输出/``folder`` for ``name``: never one that exists."""
        where = self.outputs / folder
        where.mkdir(parents=True, exist_ok=True)
        return _fresh(where / upload_path(name).name)

    def blank(self, form_id: str) -> Path:
        """The blank template of an installed form (IN-003 for another id)."""
        from unionforms.excel.writer import write_template

        form = self.registry.get(form_id)
        path = self.output("表式", f"{form.id}.xlsx")
        write_template(form, path, registry=self.registry)
        return path

    def annotated(self, file: str) -> Path:
        """The annotated copy of the return ``file`` (a current one with findings), to send back."""
        from unionforms.collect.annotate import annotate

        source = Path(file).resolve()
        if not source.is_relative_to(self.returns.resolve()):
            raise ValueError(f"{file} is not a return of this round")
        return annotate(
            source, self.findings(file), self.output("退回", f"{source.stem}（审核结果）.xlsx"),
            registry=self.registry,
        )  # fmt: skip

    def total(self, unit: str, *, pdf: bool = False) -> tuple[Path, object]:
        """The total of the round's current returns without errors, as ``aggregate`` makes it."""
        from unionforms.collect.aggregate import aggregate
        from unionforms.collect.batch import expand, run_bulk
        from unionforms.collect.totals import Collect, write_xlsx

        inputs = expand([str(self.returns)], self.registry, lazy=True)
        task = Collect(self.registry, keep_report=True)
        results = run_bulk(task, inputs, jobs=self.jobs, registry=self.registry)
        total = aggregate(results, self.registry, unit=unit, form=self.form, roster=self.roster)
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        target = self.output("汇总", f"汇总-{total.form.id}-{stamp}.xlsx")
        path = write_xlsx(total, target, registry=self.registry)
        if pdf:
            from unionforms.excel.libreoffice import to_pdf

            path = to_pdf(path, path.with_suffix(".pdf"))
        return path, total

    def compare(self, name: str, stream: IO[bytes], unit: str) -> tuple[YearComparison, tuple[Finding, ...]]:
        """Last year's return or total (uploaded, kept under 输出/上年/) beside this round's total (made as
        :meth:`total` makes it), as ``unionforms compare`` compares them; with the findings of reading."""
        from unionforms.authoring.compare import compare_returns
        from unionforms.io.reading import read_report

        data = stream.read(MAX_WORKBOOK_BYTES + 1)
        if len(data) > MAX_WORKBOOK_BYTES:
            raise too_large(name, len(data), MAX_WORKBOOK_BYTES)
        last_path = self.output("上年", upload_path(name).name)
        with open(last_path, "xb") as fh:
            fh.write(data)
        this_path, _ = self.total(unit)
        last = read_report(last_path, self.registry)
        this = read_report(this_path, self.registry)
        files = (str(last_path.relative_to(self.root)), str(this_path.relative_to(self.root)))
        return compare_returns(last, this, self.registry, files=files), (*last.findings, *this.findings)

    def export(self, kind: str) -> tuple[Path, object]:
        """The round's returns as a table (csv, xlsx) or an SQLite file, as ``export`` writes them."""
        from unionforms.collect.batch import expand
        from unionforms.collect.export import in_round, returns_from_inputs
        from unionforms.io.writers import export

        inputs = expand([str(self.returns)], self.registry)
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        suffix = {"csv": ".csv", "xlsx": ".xlsx", "sqlite": ".db"}[kind]
        path = self.output("导出", f"导出-{stamp}{suffix}")
        returns = returns_from_inputs(inputs, self.registry)
        items = in_round(returns, self.registry, form=self.form, roster=self.roster)
        target = f"sqlite:///{path}" if kind == "sqlite" else str(path)
        summary = export(items, target, inputs=[i.file for i in inputs])
        return path, summary


def _fresh(path: Path) -> Path:
    """``path``, or ``name (2).ext`` … when it exists: the desk never writes over a file."""
    n = 1
    candidate = path
    while os.path.lexists(candidate):
        n += 1
        candidate = path.with_name(f"{path.stem} ({n}){path.suffix}")
    return candidate
