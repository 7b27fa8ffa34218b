"""Fill reports into their templates fast: the blank template is written once, then values are patched in.

Building a template with openpyxl takes ~80 ms; a county fills dozens and a benchmark thousands. So the
blank template of a form (with its password and the plugins' adjustments) is built once per process by
:func:`unionforms.excel.writer.build_workbook` and kept as its zip members. Filling a report then
only rewrites the main sheet's XML, putting each value into its (already styled, unlocked, validated)
input cell, and writes the zip with every other member's compressed bytes copied as they are.

Values are written as the reader reads them back: counts and 万元 as numbers (Decimal digits exactly,
never through a float; stored as a spreadsheet stores them, ``120.00`` as ``120``, the same Decimal),
是/否, the header texts and the explanations of warnings (合理性审核说明) as inline strings, the date
as a serial number in the cell's date format.
Characters XML cannot hold are written ``_xHHHH_`` (as Excel does), and a literal ``_xHHHH_`` in a
text is escaped, so every text reads back as typed. The workbook recalculates
on opening (``fullCalcOnLoad``), so the live checks show the filled values' verdicts.
"""

from __future__ import annotations

import datetime
import re
import struct
import threading
import zlib
from collections.abc import Iterable
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

import attrs

from unionforms.core.errors import InputError
from unionforms.core.model import Form
from unionforms.core.outputs import check_output, write_bytes
from unionforms.core.report import Report
from unionforms.plugins.registry import Registry

_CELL_RE = r'<c r="{ref}"(?P<attrs>[^>]*?)\s*(?:/>|>.*?</c>)'
_TYPE_RE = re.compile(r'\s+t="[^"]*"')
_ESCAPE_RE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")
_ILLEGAL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_EPOCH = datetime.date(1899, 12, 30)
_LEVEL = 6  # the template's members, compressed once
_FAST = 1  # the filled sheet, compressed per file: 3× faster than 6, a few KiB larger


@attrs.frozen
class _Member:
    """A zip member ready to copy: name, CRC, sizes and its deflated bytes."""

    name: bytes
    crc: int
    size: int
    data: bytes


@attrs.frozen
class _Template:
    """A form's blank template cut open: the members, and the main sheet split around its input cells."""

    members: tuple[_Member, ...]
    sheet: str
    pieces: tuple[bytes, ...]  # static XML between the input cells; len(slots) + 1 pieces
    slots: tuple[
        tuple[str, str], ...
    ]  # (key, start tag attributes): a field code, "meta:…" or "explain:<rule id>"
    empty: tuple[bytes, ...]  # each slot's blank cell, as in the template


#: Keyed by the form itself (hashable, its hash computed once): two definitions of one id and version (a
#: definition edited while a process runs, a test's variants) never share a template.
_CACHE: dict[tuple[Form, str | None, int], _Template] = {}
_LOCK = threading.Lock()


def _template(form: Form, password: str | None, registry: Registry | None, file: str) -> _Template:
    key = (form, password, id(registry))
    with _LOCK:
        cached = _CACHE.get(key)
    if cached is not None:
        return cached
    from unionforms.excel.writer import build_workbook, check_hooks, serialise

    if registry is not None and registry.adjusts_templates:  # a broken hook: once per form, not per report
        check_hooks(form, registry)
    wb, layout = build_workbook(form, password=password, registry=registry)
    buffer = BytesIO(serialise(wb, file))  # a full disk (openpyxl's temporary files) is OUT-004
    import zipfile

    with zipfile.ZipFile(buffer) as zf:
        sheet = _main_part(zf, layout.sheet)
        members = []
        xml = ""
        for info in zf.infolist():
            raw = zf.read(info)
            if info.filename == sheet:
                xml = raw.decode("utf-8")
            members.append(_Member(info.filename.encode(), zlib.crc32(raw), len(raw), _deflate(raw)))
    targets = {
        **{code: ref for code, ref in layout.fields.items()},
        **{f"meta:{k}": v for k, v in layout.meta.items()},
        **{f"explain:{rule}": ref for rule, ref in layout.explain_cells.items()},
    }
    found: list[tuple[int, int, str, str]] = []
    for key_, ref in targets.items():
        match = re.search(_CELL_RE.format(ref=ref), xml)
        if match is None:  # pragma: no cover - the writer always writes the input cells
            raise RuntimeError(f"template of {form.id}: no cell {ref} for {key_}")
        found.append((match.start(), match.end(), key_, _TYPE_RE.sub("", match.group("attrs"))))
    found.sort()
    pieces, slots, empty, at = [], [], [], 0
    for start, end, key_, attributes in found:
        pieces.append(xml[at:start].encode())
        slots.append((key_, f'<c r="{targets[key_]}"{attributes}'))
        empty.append(xml[start:end].encode())
        at = end
    pieces.append(xml[at:].encode())
    made = _Template(tuple(members), sheet, tuple(pieces), tuple(slots), tuple(empty))
    with _LOCK:
        _CACHE[key] = made
    return made


def _main_part(zf: object, sheet_name: str) -> str:
    """The zip member holding the sheet called ``sheet_name`` (through workbook.xml and its rels)."""
    import zipfile

    assert isinstance(zf, zipfile.ZipFile)
    workbook = zf.read("xl/workbook.xml").decode()
    rels = zf.read("xl/_rels/workbook.xml.rels").decode()
    for m in re.finditer(r"<sheet\b[^>]*>", workbook):
        tag = m.group(0)
        name = re.search(r'name="([^"]*)"', tag)
        rid = re.search(r'r:id="([^"]*)"|\bid="([^"]*)"', tag)
        if name and rid and name.group(1) == escape(sheet_name, {'"': "&quot;"}):
            ident = rid.group(1) or rid.group(2)
            rel = re.search(rf'<Relationship\b[^>]*Id="{re.escape(ident)}"[^>]*>', rels)
            if rel:
                target = re.search(r'Target="([^"]*)"', rel.group(0))
                if target:
                    path = target.group(1).lstrip("/")
                    return path if path.startswith("xl/") else f"xl/{path}"
    raise RuntimeError(f"no sheet {sheet_name!r} in the template")  # pragma: no cover


def _deflate(raw: bytes, level: int = _LEVEL) -> bytes:
    packer = zlib.compressobj(level, zlib.DEFLATED, -15)
    return packer.compress(raw) + packer.flush()


def _text(value: str) -> str:
    value = _ESCAPE_RE.sub("_x005F_", value)
    value = _ILLEGAL_RE.sub(lambda m: f"_x{ord(m.group(0)):04X}_", value)
    return escape(value)


def _cell(start: str, value: object) -> str:
    if isinstance(value, bool):
        return f'{start} t="inlineStr"><is><t>{"是" if value else "否"}</t></is></c>'
    if isinstance(value, int):
        return f"{start}><v>{value}</v></c>"
    if isinstance(value, Decimal) and value.is_finite():  # as a spreadsheet stores it: 120.00 is 120
        return f"{start}><v>{format(value.normalize(), 'f')}</v></c>"
    if isinstance(value, datetime.date):
        return f"{start}><v>{(value - _EPOCH).days}</v></c>"
    if isinstance(value, str):
        return f'{start} t="inlineStr"><is><t xml:space="preserve">{_text(value)}</t></is></c>'
    raise TypeError(type(value).__name__)


def filled_bytes(
    form: Form,
    report: Report,
    *,
    password: str | None = None,
    registry: Registry | None = None,
    file: str = "",
) -> bytes:
    """The filled template of ``report`` as .xlsx bytes; InputError for a report that cannot be written."""
    if report.form != form.id:
        raise InputError("IN-004", found=report.form, expected=form.id)
    template = _template(form, password, registry, file)
    meta = report.meta
    entries: dict[str, object] = {
        f"meta:{k}": v
        for k, v in (
            ("unit", meta.unit),
            ("filled_by", meta.filled_by),
            ("phone", meta.phone),
            ("date", meta.date),
        )
        if v is not None
    }
    for code, value in report.values.items():
        if code not in form.fields:
            raise InputError("IN-041", field=code, form=form.id)
        if not isinstance(value, bool | int | Decimal) or (
            isinstance(value, Decimal) and not value.is_finite()
        ):
            raise InputError("IN-042", field=code, value=repr(value))
        entries[code] = value
    for rule_id, text in report.explanations.items():
        # a warning rule's explanation goes beside its verdict; an error rule's has no cell and is ignored
        entries[f"explain:{rule_id}"] = text
    out: list[bytes] = []
    for piece, (key, start), blank in zip(template.pieces, template.slots, template.empty, strict=False):
        out.append(piece)
        value = entries.get(key)
        out.append(blank if value is None else _cell(start, value).encode())
    out.append(template.pieces[-1])
    return _zip(template, b"".join(out))


def _zip(template: _Template, sheet_xml: bytes) -> bytes:
    sheet_name = template.sheet.encode()
    buf = bytearray()
    central = bytearray()
    members = [
        m
        if m.name != sheet_name
        else _Member(m.name, zlib.crc32(sheet_xml), len(sheet_xml), _deflate(sheet_xml))
        for m in template.members
    ]
    for m in members:
        offset = len(buf)
        # local file header: version 20, flag 0x800 (UTF-8 names), deflate, time/date 1980-01-01
        buf += struct.pack(
            "<IHHHHHIIIHH", 0x04034B50, 20, 0x800, 8, 0, 0x21, m.crc, len(m.data), m.size, len(m.name), 0
        )
        buf += m.name
        buf += m.data
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50, 20, 20, 0x800, 8, 0, 0x21, m.crc, len(m.data), m.size, len(m.name),
            0, 0, 0, 0, 0, offset,
        )  # fmt: skip
        central += m.name
    start = len(buf)
    buf += central
    buf += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), start, 0)
    return bytes(buf)


def write_atomic(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically through :func:`unionforms.core.outputs.write_bytes`.

    Bulk commands write many files into an output folder of their own and replace what an earlier run
    left there; whether an output would replace an input is checked before (OUT-001).
    """
    write_bytes(path, data, kind=Path(path).suffix.lower().lstrip("."), force=True)


def fill(
    form: Form,
    report: Report,
    path: str | Path,
    *,
    password: str | None = None,
    registry: Registry | None = None,
    force: bool = False,
    inputs: Iterable[str | Path] = (),
) -> None:
    """Write the filled template of ``report`` to ``path`` atomically.

    The output rules of :func:`unionforms.core.outputs.check_output` apply (OUT-001 … OUT-004): checked
    before any work, and an existing file is kept unless ``force``.
    """
    check_output(path, kind="xlsx", force=force, inputs=inputs)
    data = filled_bytes(form, report, password=password, registry=registry, file=str(path))
    write_bytes(path, data, kind="xlsx", force=force, inputs=inputs)
