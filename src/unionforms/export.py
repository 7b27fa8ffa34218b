"""What ``unionforms export`` exports: every input read and checked as bulk ``validate`` reads it.

Inputs come from :func:`unionforms.batch.expand` (files, folders and patterns; a table's returns one input
each, named by their row; skipped inputs kept with their reason), so that every bulk command treats PATH
alike. A total's provenance comes from :func:`unionforms.totals.read_provenance`. The writers are in
:mod:`unionforms.io.export` (files) and :mod:`unionforms.io.sql` (databases).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from .batch import Input, as_error, expand, skipped
from .errors import InputError
from .inputs import open_input
from .io.reading import read_report
from .io.summary import Item, Unusable
from .io.tables import Return, status_of
from .registry import Registry
from .report import ReadResult
from .validate import check_read


def returns_from_paths(paths: Iterable[str], registry: Registry) -> Iterator[Item]:
    """Read and check every return in ``paths``: a :class:`Return` each, or why there is none."""
    return returns_from_inputs(expand(paths, registry), registry)


def returns_from_inputs(inputs: Iterable[Input], registry: Registry) -> Iterator[Item]:
    """Every input of :func:`~unionforms.batch.expand` as a :class:`Return`, or as :class:`Unusable`."""
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


def _read(item: Input, registry: Registry) -> tuple[ReadResult, dict[str, Any] | None]:
    if isinstance(item.row, InputError):
        raise item.row
    if item.row is not None:
        return item.row, dict(item.row.provenance) if item.row.provenance is not None else None
    return read_report(item.path, registry), provenance_of(item.path)


def provenance_of(path: str) -> dict[str, Any] | None:
    """A total's provenance as the export keeps it (with ``ref``, where in its file it is); None for a
    return of one unit. IN-074 when the total's provenance cannot be read."""
    from .aggregate import provenance_to_dict
    from .totals import SHEET, read_provenance

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
