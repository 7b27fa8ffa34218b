"""What ``unionforms export`` exports: every input read and checked as bulk ``validate`` reads it.

Inputs come from :func:`unionforms.collect.batch.expand` (files, folders and patterns; a table's returns one
input each, named by their row; skipped inputs kept with their reason), so that every bulk command treats PATH
alike. A total's provenance comes from :func:`unionforms.collect.totals.read_provenance`. The writers are in
:mod:`unionforms.io.writers` (files) and :mod:`unionforms.io.sql` (databases).
"""

from __future__ import annotations

import hashlib
import pickle
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import attrs

from unionforms.collect.batch import Input, State, as_error, skipped
from unionforms.collect.roster import Roster
from unionforms.core.errors import InputError
from unionforms.core.findings import status_of
from unionforms.core.inputs import open_input
from unionforms.core.model import Form
from unionforms.core.report import ReadResult
from unionforms.core.validate import check_read
from unionforms.io.reading import read_report
from unionforms.io.summary import Item, Unusable
from unionforms.io.tables import Return
from unionforms.plugins.registry import Registry


def returns_from_inputs(inputs: Iterable[Input], registry: Registry) -> Iterator[Item]:
    """Every input of :func:`~unionforms.collect.batch.expand` as a :class:`Return`, or :class:`Unusable`."""
    hashes: dict[str, str | None] = {}
    for item in inputs:
        if item.skipped is not None:
            result = skipped(item)
            yield Unusable(item.path, "skipped", result.reason or "", result.code)
            continue
        if item.file not in hashes:  # a table's rows share its hash; keep one file's at a time
            hashes = {item.file: file_hash(item.file)}
        try:
            read, provenance = _read(item, registry)
            findings = tuple(check_read(read))
        except Exception as exc:  # one bad input never stops an export
            error = as_error(item.path, exc)
            yield Unusable(item.path, "unusable", str(error), error.code)
            continue
        yield Return(
            item.path,
            read.form,
            read.report,
            status_of(findings),
            findings,
            provenance,
            hashes[item.file],
        )


def in_round(
    items: Iterable[Item],
    registry: Registry,
    *,
    form: str | None = None,
    roster: Roster | None = None,
    one_form: bool = False,
) -> Iterator[Item]:
    """``items`` again, in order, each return marked with its standing in the round (``current``,
    ``standing``: :mod:`unionforms.collect.current`, the rule every command applies).

    Without ``form`` each form is a round of its own, unless ``one_form`` (a wide CSV or JSONL holds
    one form): then the round's form is the form of most returns and a return of another form is left
    out, as a skipped input saying why (AGG-002).

    The standing of a return is known only once every input is read, so the returns are kept meanwhile
    in a temporary file (forms by id, not copied), never in memory: an export of a province stays small.
    """
    from unionforms.collect.current import Entry, Ledger, Standing, explain

    ledger = Ledger(form, roster, every_form=form is None and not one_form)
    with tempfile.TemporaryFile(prefix="unionforms-round-") as spool:
        pickler = _Pickler(spool)
        for n, item in enumerate(items):
            if isinstance(item, Return):
                state = State(item.status)
                meta = item.report.meta
                ledger.add(Entry(n, item.name, state, item.form.id, meta.unit, meta.date, item.figures_hash))
            else:
                ledger.add(Entry(n, item.name, State.SKIPPED if item.status == "skipped" else State.UNUSABLE))
            pickler.dump(item)
        rnd = ledger.close()
        spool.seek(0)
        unpickler = _Unpickler(spool, registry)
        for verdict in rnd.verdicts:
            item = unpickler.load()
            if isinstance(item, Return):
                standing = verdict.standing
                if standing is Standing.OTHER_FORM and one_form:
                    code, why = explain(verdict, rnd)
                    item = Unusable(item.name, "skipped", why or "", code)
                else:
                    item = attrs.evolve(
                        item,
                        current=standing is Standing.CURRENT,
                        standing=standing.value,
                        listed=verdict.listed.name if verdict.listed is not None else None,
                    )
            yield item


class _Pickler(pickle.Pickler):
    """Returns pickled with their form by id (:class:`_Unpickler` looks it up again)."""

    def persistent_id(self, obj: object) -> str | None:
        return f"form:{obj.id}" if isinstance(obj, Form) else None


class _Unpickler(pickle.Unpickler):
    def __init__(self, file: Any, registry: Registry) -> None:
        super().__init__(file)
        self.registry = registry

    def persistent_load(self, pid: object) -> Form:
        assert isinstance(pid, str) and pid.startswith("form:")
        return self.registry.get(pid[5:])


def _read(item: Input, registry: Registry) -> tuple[ReadResult, dict[str, Any] | None]:
    if isinstance(item.row, InputError):
        raise item.row
    if item.row is not None:
        return item.row, dict(item.row.provenance) if item.row.provenance is not None else None
    return read_report(item.path, registry), provenance_of(item.path)


def provenance_of(path: str) -> dict[str, Any] | None:
    """A total's provenance as the export keeps it (with ``ref``, where in its file it is); None for a
    return of one unit. IN-074 when the total's provenance cannot be read."""
    from unionforms.collect.aggregate import provenance_to_dict
    from unionforms.collect.totals import SHEET, read_provenance

    provenance = read_provenance(path)
    if provenance is None:
        return None
    where = "/provenance" if Path(path).suffix.lower() == ".json" else SHEET
    return {"ref": f"{path}#{where}", **provenance_to_dict(provenance)}


def file_hash(path: str | Path) -> str | None:
    """SHA-256 of a regular file's bytes, read in chunks; None when it cannot be read (reading it says
    why: a pipe or a device is never opened for reading here)."""
    digest = hashlib.sha256()
    try:
        with open_input(path, limit=1 << 50) as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
    except (OSError, InputError):
        return None
    return digest.hexdigest()
