"""Open an untrusted workbook as a zip, refusing bombs before they go off.

Every member's size and compression ratio is checked from the zip directory before anything is
decompressed, and again while reading (in chunks, stopping past the bound), since a directory can lie.
XML is parsed with :mod:`defusedxml` with DTDs and entities forbidden: an xlsx never has them, so a
part that declares one is refused as hostile (IN-005). Whatever goes wrong becomes an
:class:`~unionforms.core.errors.InputError` naming the file: IN-001/IN-010 (cannot be read), IN-02x (not an
xlsx, or damaged), IN-005 and IN-05x (too large or hostile). No zipfile, zlib or XML exception escapes;
its text is kept as the error's ``detail``.
"""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET
import zipfile
import zlib
from collections.abc import Generator, Iterable
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, Protocol
from xml.parsers.expat import XMLParserType

import defusedxml
import defusedxml.ElementTree as DET

from unionforms.core.errors import InputError
from unionforms.core.inputs import MAX_WORKBOOK_BYTES, open_input, unreadable

#: Largest uncompressed size of one member (a one-sheet form is well under 1 MiB).
MAX_MEMBER_SIZE = 64 * 1024 * 1024
#: Largest uncompressed size of all members together.
MAX_TOTAL_SIZE = 256 * 1024 * 1024
#: Most members a workbook may have.
MAX_MEMBERS = 10_000
#: A member that expands more than this many times ...
MAX_RATIO = 200
#: ... and to more than this many bytes is a zip bomb.
RATIO_FLOOR = 1024 * 1024
#: Largest part read whole into an element tree (workbook.xml, relationships; real ones are a few KiB).
MAX_TREE_SIZE = 8 * 1024 * 1024
#: Bytes decompressed (and fed to the XML parser) at a time.
CHUNK_SIZE = 64 * 1024

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    ValueError,
    struct.error,
    IndexError,
    KeyError,
    RuntimeError,  # an encrypted member
    NotImplementedError,  # an unsupported compression method
    OverflowError,
)


class StopParsing(Exception):
    """Raised by a parse target that has what it needs: parsing stops quietly."""


class Target(Protocol):
    """What :meth:`SafeZip.parse` feeds: it installs its handlers on the expat parser."""

    def install(self, parser: XMLParserType, /) -> None: ...


class _Closing:
    """A parser target that only closes: the element events go to the expat handlers directly."""

    def close(self) -> None:
        return None


class SafeZip:
    """An xlsx opened for reading with every size bound enforced; use as a context manager."""

    def __init__(self, path: str | Path) -> None:
        self.file = str(path)
        fh = open_input(path, limit=MAX_WORKBOOK_BYTES)  # a regular file of bounded size, or InputError
        try:
            self._zip = _open_zip(fh, self.file)
        except BaseException:
            fh.close()
            raise
        self._fh = fh
        try:
            self._infos = _check_directory(self._zip, self.file)
        except BaseException:
            self.close()
            raise
        self._folded = {name.lower(): name for name in self._infos}
        self._read_total = 0

    def __enter__(self) -> SafeZip:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._zip.close()
        self._fh.close()

    def verify(self) -> None:
        """Decompress every member within the bounds (checking its CRC), for a file handed on whole.

        XML parts are parsed too, so that one declaring a DTD or entities (IN-005) or not XML (IN-002)
        is refused here.

        Reading only parses the parts it needs; a program given the whole file (LibreOffice, for
        ``pdf``) inflates them all, so each must be proven within the bounds first, whatever the
        directory claims.
        """
        for name in self._infos:
            if name.lower().endswith((".xml", ".rels", ".vml")):
                self.parse(name, WELL_FORMED)
            else:
                for _ in self.chunks(name):
                    pass

    def names(self) -> list[str]:
        """Every member's name, in the order of the archive."""
        return list(self._infos)

    def resolve(self, name: str) -> str | None:
        """The member called ``name`` (part names are case-insensitive in a package), or None."""
        name = name.lstrip("/")
        if name in self._infos:
            return name
        return self._folded.get(name.lower())

    def chunks(self, name: str, limit: int | None = None) -> Generator[bytes, None, None]:
        """The member's bytes in chunks; IN-005 past the size bounds, whatever the directory said."""
        info = self._infos[name]
        if limit is not None and info.file_size > limit:
            raise InputError("IN-051", part=name, size=info.file_size, limit=limit, file=self.file)
        limit = info.file_size if limit is None else min(limit, info.file_size)
        seen = 0
        try:
            with self._zip.open(info) as fh:
                while True:
                    chunk = fh.read(CHUNK_SIZE)
                    if not chunk:
                        return
                    seen += len(chunk)
                    self._read_total += len(chunk)
                    if seen > limit or seen > MAX_MEMBER_SIZE or self._read_total > MAX_TOTAL_SIZE:
                        raise InputError("IN-053", part=name, file=self.file)
                    yield chunk
        except OSError as exc:
            raise unreadable(self.file, exc) from None
        except _ZIP_ERRORS as exc:
            raise InputError("IN-028", part=name, detail=_detail(exc), file=self.file) from None

    def size(self, name: str) -> int:
        """The member's uncompressed size as the directory states it (reading never goes past it)."""
        return self._infos[name].file_size

    def read(self, name: str, limit: int | None = None) -> bytes:
        """The whole member, within the bounds."""
        return b"".join(self.chunks(name, limit))

    def read_small(self, name: str) -> bytes:
        """A part read whole to be parsed into a tree (:meth:`element`): IN-051 past MAX_TREE_SIZE."""
        return self.read(name, MAX_TREE_SIZE)

    def parse(
        self,
        name: str,
        target: Target,
        *,
        limit: int | None = None,
        chunks: Iterable[bytes] | None = None,
        final: bool = True,
    ) -> None:
        """Parse the member's XML with defusedxml (DTDs and entities forbidden), events going to ``target``.

        ``target.install(parser)`` is given the underlying expat parser (ordered_attributes off, so
        attributes come as a dict, and element names as ``namespace}local``) and sets the handlers it
        wants; it may switch them while parsing, so that only the parts it keeps cost Python calls —
        the defused parser's guards stay in place. It may raise :class:`StopParsing` once it has what
        it needs. Malformed XML is IN-002; a DTD, entity or external reference is IN-005.

        ``chunks``: the member's bytes already taken from :meth:`chunks` (or the rest of it), fed
        instead of reading the member again. With ``final`` False they may be its beginning only: it
        is checked as far as it goes and no end is demanded.
        """
        parser = DET.DefusedXMLParser(target=_Closing(), forbid_dtd=True)
        expat = parser.parser
        expat.ordered_attributes = False
        # ElementTree's Python default handler would get every event the target leaves unhandled; it
        # only serves DTDs and skipped entities, which the guards above refuse anyway.
        expat.DefaultHandlerExpand = None
        target.install(expat)
        self._run(name, parser, self.chunks(name, limit) if chunks is None else chunks, final)

    def _run(self, name: str, parser: ET.XMLParser, chunks: Iterable[bytes], final: bool) -> None:
        try:
            try:
                for chunk in chunks:
                    parser.feed(chunk)
            finally:
                if isinstance(chunks, Generator):
                    chunks.close()
            if final:
                parser.close()
        except StopParsing:
            return
        except (defusedxml.DTDForbidden, defusedxml.EntitiesForbidden, defusedxml.ExternalReferenceForbidden):
            raise InputError("IN-054", part=name, file=self.file) from None
        except (ET.ParseError, UnicodeError, ValueError) as exc:
            raise InputError("IN-028", part=name, detail=_detail(exc), file=self.file) from None

    def element(self, name: str, data: bytes | None = None) -> ET.Element:
        """The member parsed into an element tree, for small parts (workbook, relationships); ``data``:
        its bytes, if read already (by :meth:`read_small`).

        Expat feeds the C tree builder directly, so tags and attribute names are expat's
        ``namespace}local`` (no leading brace): compare local names, e.g. ``tag.rpartition("}")[2]``.
        """
        builder = ET.TreeBuilder()
        chunks = None if data is None else (data,)
        self.parse(name, _Building(builder), limit=MAX_TREE_SIZE, chunks=chunks)
        root: ET.Element | None = builder.close()
        if root is None:  # pragma: no cover - expat refuses a document without an element
            raise InputError("IN-028", part=name, file=self.file)
        return root


class _Nothing:
    """A target that keeps nothing: the part is only proven parseable and free of DTDs."""

    def install(self, parser: XMLParserType) -> None:
        return None


class Rare:
    """Proves the XML well-formed (expat runs in C: no Python call per element) and notes comments,
    processing instructions and CDATA sections, which could hide markup from a search of the bytes
    (the fast paths of :mod:`.sheetscan` and the shared strings fall back to a full parse then)."""

    def __init__(self) -> None:
        self.seen = False

    def install(self, parser: XMLParserType) -> None:
        parser.CommentHandler = self.note
        parser.ProcessingInstructionHandler = self.note
        parser.StartCdataSectionHandler = self.note

    def note(self, *_: object) -> None:
        self.seen = True


#: Parse only to prove the XML well-formed and free of DTDs: expat runs without a Python call per element.
WELL_FORMED: Target = _Nothing()


class _Building:
    """Sends expat's events straight to a C TreeBuilder: no Python call per element."""

    def __init__(self, builder: ET.TreeBuilder) -> None:
        self.builder = builder

    def install(self, parser: XMLParserType) -> None:
        parser.StartElementHandler = self.builder.start
        parser.EndElementHandler = self.builder.end
        parser.CharacterDataHandler = self.builder.data


def _open_zip(fh: BinaryIO, file: str) -> zipfile.ZipFile:
    try:
        head = fh.read(8)
        _check_signature(head, file)
        claimed = _entries_claimed(fh)
    except OSError as exc:
        raise unreadable(file, exc) from None
    if claimed is not None and claimed > MAX_MEMBERS:  # before zipfile builds an object for each
        raise InputError("IN-050", count=claimed, limit=MAX_MEMBERS, file=file)
    try:
        fh.seek(0)
        return zipfile.ZipFile(fh)
    except OSError as exc:
        raise unreadable(file, exc) from None
    except _ZIP_ERRORS as exc:
        raise InputError("IN-024", detail=_detail(exc), file=file) from None


def _check_signature(head: bytes, file: str) -> None:
    if head.startswith(_OLE2):
        raise InputError("IN-020", file=file)
    if not head:
        raise InputError("IN-021", file=file)
    if head.startswith(b"%PDF"):
        raise InputError("IN-022", file=file)
    if not head.startswith(b"PK"):
        raise InputError("IN-023", file=file)


def _entries_claimed(fh: BinaryIO) -> int | None:
    """The member count the end-of-directory record claims, read before zipfile reads the directory."""
    end_record = getattr(zipfile, "_EndRecData", None)  # zipfile's own reader (zip64 too); private
    if end_record is None:  # pragma: no cover - present in every CPython 3
        return None
    try:
        record = end_record(fh)
        return int(record[4]) if record else None  # _ECD_ENTRIES_TOTAL
    except (*_ZIP_ERRORS, TypeError):
        return None


def _detail(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _check_directory(zf: zipfile.ZipFile, file: str) -> dict[str, zipfile.ZipInfo]:
    try:
        infos = zf.infolist()
    except _ZIP_ERRORS as exc:  # pragma: no cover - ZipFile() has read the directory already
        raise InputError("IN-024", detail=_detail(exc), file=file) from None
    if len(infos) > MAX_MEMBERS:
        raise InputError("IN-050", count=len(infos), limit=MAX_MEMBERS, file=file)
    total = 0
    by_name: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        size = info.file_size
        if size > MAX_MEMBER_SIZE:
            raise InputError("IN-051", part=info.filename, size=size, limit=MAX_MEMBER_SIZE, file=file)
        if size > RATIO_FLOOR and size > MAX_RATIO * max(info.compress_size, 1):
            raise InputError(
                "IN-005",
                part=info.filename,
                ratio=size // max(info.compress_size, 1),
                compressed=info.compress_size,
                size=size,
                file=file,
            )
        total += size
        if total > MAX_TOTAL_SIZE:
            raise InputError("IN-052", limit=MAX_TOTAL_SIZE, file=file)
        by_name.setdefault(info.filename, info)
    names = set(by_name)
    if "mimetype" in names and not any(n.startswith("xl/") for n in names):
        raise InputError("IN-027", file=file)
    return by_name
