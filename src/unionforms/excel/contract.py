"""The workbook contract shared by the template writer and the reader (``specs/excel-template.md``)."""

from __future__ import annotations

#: The contract version (B1 of the ``_unionforms`` sheet); a reader refuses others.
CONTRACT_VERSION = "1"
#: The hidden sheet that identifies a template: form id, definition version, main sheet, 是/否 list.
ID_SHEET = "_unionforms"
#: Defined-name prefix of a field's cell; ``.`` in a code is written ``_``.
FIELD_PREFIX = "F_"
#: Defined names of the header cells, by :class:`~unionforms.report.Meta` attribute.
HEADER_NAMES = {"unit": "H_unit", "filled_by": "H_filled_by", "phone": "H_phone", "date": "H_date"}
#: Defined name of the 是/否 list behind the dropdowns.
YESNO_NAME = "UF_YESNO"


def field_name(code: str) -> str:
    """The defined name of a field's input cell: ``01A.2`` -> ``F_01A_2``."""
    return FIELD_PREFIX + code.replace(".", "_")


#: What a blank date cell (``H_date``) holds: the printed 年 月 日 with room to write by hand. A reader
#: reads it, or any text of only 年 月 日 and spaces, as no date.
DATE_PLACEHOLDER = "    年    月    日"
