"""What an export takes and gives: returns or why an input gave none, and a summary of what was written.

Shared by the file writers (:mod:`.export`) and the database writer (:mod:`.sql`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import attrs

from unionforms.io.tables import Return


@attrs.frozen
class Unusable:
    """An input that gives no return: ``status`` is unusable (with its catalogue code) or skipped."""

    name: str
    status: str
    reason: str
    code: str | None = None


Item = Return | Unusable


@attrs.frozen
class Change:
    """A return that replaced an earlier one of the same unit and form with different figures."""

    form: str
    unit: str | None
    old_source: str
    new_source: str
    changed: tuple[str, ...]  # the field codes (and header entries) whose value changed


@attrs.define
class ExportSummary:
    """What an export did: every input's status counted, rows written, and (databases) what changed."""

    output: str
    statuses: dict[str, int] = attrs.Factory(dict)
    returns: int = 0
    rows: int = 0
    unusable: list[Unusable] = attrs.Factory(list)
    skipped: list[Unusable] = attrs.Factory(list)
    new: int = 0
    replaced: list[Change] = attrs.Factory(list)
    unchanged: int = 0
    #: returns a database does not keep: superseded, or a second return of a unit in conflict
    superseded: list[str] = attrs.Factory(list)

    def count(self, status: str) -> None:
        self.statuses[status] = self.statuses.get(status, 0) + 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "output": self.output,
            "statuses": dict(self.statuses),
            "returns": self.returns,
            "rows": self.rows,
            "unusable": [attrs.asdict(u) for u in self.unusable],
            "skipped": [attrs.asdict(u) for u in self.skipped],
            "new": self.new,
            "replaced": [attrs.asdict(c) for c in self.replaced],
            "unchanged": self.unchanged,
            "superseded": list(self.superseded),
        }


def counted(items: Iterable[Item], summary: ExportSummary) -> Iterator[Return]:
    """The returns among ``items``; every item's status counted and the unusable ones kept in ``summary``."""
    for item in items:
        summary.count(item.status)
        if isinstance(item, Unusable):
            (summary.unusable if item.status == "unusable" else summary.skipped).append(item)
            continue
        summary.returns += 1
        yield item
