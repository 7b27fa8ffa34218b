"""The workbook contract shared by the template writer and the reader (``specs/excel-template.md``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hashlib import sha256
else:
    try:  # CPython's own SHA-256 (the same digest) loads in 0.1 ms; hashlib loads OpenSSL first, 3 ms
        from _sha256 import sha256  # of the start-up of every command that reads a workbook
    except ImportError:  # pragma: no cover - other Pythons (3.12 renamed it)
        from hashlib import sha256

#: The contract version (B1 of the ``_unionforms`` sheet); a reader refuses others.
CONTRACT_VERSION = "1"
#: The hidden sheet that identifies a template: form id, definition version, main sheet, 是/否 list.
ID_SHEET = "_unionforms"
#: Defined-name prefix of a field's cell; ``.`` in a code is written ``_``.
FIELD_PREFIX = "F_"
#: Defined names of the header cells, by :class:`~unionforms.core.report.Meta` attribute.
HEADER_NAMES = {"unit": "H_unit", "filled_by": "H_filled_by", "phone": "H_phone", "date": "H_date"}
#: Key (column A of the ``_unionforms`` sheet) of the layout fingerprint, :func:`fingerprint`.
FINGERPRINT_KEY = "layout"
#: Defined name of the 是/否 list behind the dropdowns.
YESNO_NAME = "UF_YESNO"


def field_name(code: str) -> str:
    """The defined name of a field's input cell: ``01A.2`` -> ``F_01A_2``."""
    return FIELD_PREFIX + code.replace(".", "_")


#: What a blank date cell (``H_date``) holds: the printed 年 月 日 with room to write by hand. A reader
#: reads it, or any text of only 年 月 日 and spaces, as no date.
DATE_PLACEHOLDER = "    年    月    日"


def fingerprint(form_id: str, version: str, cells: Mapping[str, str]) -> str:
    """The fingerprint of a template's identity and layout, stored beside the form id in ``_unionforms``.

    ``cells`` maps every field and header defined name (``F_01A``, ``H_unit``) to its cell (``D6``, no
    sheet, since a sheet may be renamed). A reader recomputes it from the form id and version the
    identity sheet names and the names it finds: when they differ, the identity sheet was edited (to
    another form or version) or the names were re-pointed. A SHA-256 digest, 32 hex digits: a check
    against mistakes and casual edits, not a signature.
    """
    lines = [
        form_id,
        version,
        *(f"{name.upper()}={cells[name].upper()}" for name in sorted(cells, key=str.upper)),
    ]
    return sha256("\n".join(lines).encode("utf-8")).hexdigest()[:32]


#: Defined-name prefix of a warning rule's explanation cell (合理性审核说明): ``EXPL_<n>`` for the form's
#: n-th rule (1-based, as ``CHK_<n>``); only warning rules have one.
EXPLAIN_PREFIX = "EXPL_"


def explain_name(index: int) -> str:
    """The defined name of the explanation cell of the form's ``index``-th rule (1-based)."""
    return f"{EXPLAIN_PREFIX}{index}"


#: The first sheet of a copy returned for correction (:mod:`~unionforms.collect.annotate`): what is wrong
#: and where.
#: It is never printed by ``unionforms pdf``, which prints the current verdicts, not the ones it lists.
ANNOTATION_SHEET = "审核结果"
