"""Check a form definition without installing it: every problem at once, located by TOML line and column.

``check_definition`` takes a ``form.toml`` or a plugin package folder (its ``pyproject.toml`` names
the package; the definition is the ``form.toml`` inside, and a ``mapping.toml`` beside it is checked
too). Each line,
row and rule is loaded on its own, so one mistake does not hide the next. Errors are what the loader
refuses (DEF, RULE, MAP codes); warnings (LINT) are what loads but is probably wrong:

- LINT-002: a rule copied unchanged from the form named by ``copied_from`` whose codes now name fields
  with other labels — after a letter shift ``04E <= 04D`` silently compares other things;
- LINT-003: two rows of one line that read the same, letters aside, giving their blanks one label.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

import attrs

from unionforms.authoring.diff import pair_by_labels, shape
from unionforms.authoring.mapping import (
    ENTRY_KEYS,
    MAPPING_KEYS,
    FormMapping,
    MappingEntry,
    MappingError,
    normal_label,
)
from unionforms.core.catalogue import CATALOGUE, render
from unionforms.core.errors import DefinitionError, UnionformsError
from unionforms.core.findings import Severity
from unionforms.core.model import (
    FORM_KEYS,
    HEADER_KEYS,
    LINE_KEYS,
    NOTES_KEYS,
    Field,
    Form,
    Line,
    read_definition,
)
from unionforms.core.rules import RULE_KEYS, Rule, check_kinds
from unionforms.core.tablekeys import key_error, unknown_keys
from unionforms.plugins.registry import Registry

_LETTER_RE = re.compile(r"（[A-Z]）")
_STRING_RE = re.compile(r'"((?:[^"\\]|\\.)*)"')
_HEADER_RE = re.compile(r"^\s*(\[\[?)\s*([A-Za-z_]+)\s*\]\]?")
_KEY_RE = re.compile(r'^\s*([A-Za-z_][A-Za-z0-9_-]*)\s*=\s*(")?')


@attrs.frozen
class DefinitionProblem:
    """One problem in a definition, at ``file`` line ``line`` column ``column`` (1-based) when known."""

    severity: Severity
    code: str
    message: str
    file: str
    line: int | None = None
    column: int | None = None
    rule: str | None = None
    position: int | None = None

    def text(self) -> str:
        where = ":".join(str(p) for p in (self.file, self.line, self.column) if p is not None)
        level = "错误" if self.severity is Severity.ERROR else "警告"
        rule = f" rule {self.rule}" if self.rule else ""
        pos = f" position {self.position}" if self.position is not None else ""
        return f"{where}: {level} [{self.code}{rule}{pos}] {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {**attrs.asdict(self), "severity": self.severity.value}

    @classmethod
    def from_error(
        cls, exc: UnionformsError, file: str, line: int | None, column: int | None, rule: str | None = None
    ) -> DefinitionProblem:
        """The problem an error raised while loading stands for, at the place found for it."""
        message = exc.message + exc.hint  # what is wrong, then how to fix it, as every message reads
        return cls(Severity.ERROR, exc.code, message, file, line, column, rule or exc.rule, exc.position)

    @classmethod
    def of(
        cls,
        code: str,
        file: str,
        line: int | None = None,
        column: int | None = None,
        rule: str | None = None,
        /,
        **params: object,
    ) -> DefinitionProblem:
        """The problem ``code`` with its message from the catalogue; its severity is the catalogue's."""
        severity = Severity(CATALOGUE[code].severity or "error")
        return cls(severity, code, render(code, {"rule": rule, **params}).text_zh, file, line, column, rule)


@attrs.frozen
class CheckResult:
    """The problems of one definition, and the form when it loads."""

    file: str
    problems: tuple[DefinitionProblem, ...]
    form: Form | None = None

    @property
    def errors(self) -> int:
        return sum(p.severity is Severity.ERROR for p in self.problems)


class _Locator:
    """Where keys and strings of a TOML file start: (table, index, key[, item]) → (line, column)."""

    def __init__(self, text: str) -> None:
        self.at: dict[tuple[object, ...], tuple[int, int]] = {}
        counts: dict[str, int] = {}
        table: tuple[str, int] = ("", 0)
        array: tuple[object, ...] | None = None
        item = 0
        for n, raw in enumerate(text.splitlines(), start=1):
            line = raw.split("#", 1)[0] if '"' not in raw else raw
            if array is not None:
                for m in _STRING_RE.finditer(line):
                    self.at[(*array, item)] = (n, m.start() + 1)
                    item += 1
                if "]" in _STRING_RE.sub("", line):
                    array = None
                continue
            header = _HEADER_RE.match(line)
            if header:
                name = header.group(2)
                index = counts.get(name, 0)
                counts[name] = index + 1
                table = (name, index)
                self.at[table] = (n, header.start(1) + 1)
                continue
            key = _KEY_RE.match(line)
            if key:
                where = (*table, key.group(1))
                self.at[where] = (n, key.start(2) + 1 if key.group(2) else key.end() + 1)
                rest = line[key.end() - (1 if key.group(2) else 0) :]
                if rest.lstrip().startswith("["):
                    array = where
                    for item, m in enumerate(_STRING_RE.finditer(rest)):
                        self.at[(*array, item)] = (n, len(line) - len(rest) + m.start() + 1)
                    item = len(_STRING_RE.findall(rest))
                    if "]" in _STRING_RE.sub("", rest)[1:]:
                        array = None

    def find(self, *key: object, offset: int | None = None) -> tuple[int | None, int | None]:
        """The line and column of ``key`` (``offset`` characters into its string), else of its table."""
        for size in range(len(key), 0, -1):
            found = self.at.get(key[:size])
            if found is not None:
                line, column = found
                if size == len(key) and offset is not None:
                    column += 1 + offset  # past the opening quote
                return line, column
        return None, None


def locate_definition(path: Path) -> Path:
    """The form.toml of ``path``: the file itself, or the one inside a plugin package folder."""
    if path.is_dir():
        found = sorted(
            p for p in path.rglob("form.toml") if ".venv" not in p.parts and "build" not in p.parts
        )
        if len(found) != 1:
            raise DefinitionError("DEF-022", count=len(found), file=str(path))
        return found[0]
    return path


def check_definition(path: str | Path, registry: Registry | None = None) -> CheckResult:
    """Check a form.toml (or the one in a plugin package folder), and the mapping.toml beside it.

    ``registry`` supplies the form named by ``copied_from`` and the earlier form of the mapping; without
    it those comparisons are skipped. DefinitionError (DEF-006) when the file cannot be read at all.
    """
    file = locate_definition(Path(path))
    name = str(file)
    try:
        text = read_definition(file).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DefinitionError("DEF-006", detail=f"{type(exc).__name__}: {exc}", file=name) from None
    mapping_file = file.parent / "mapping.toml"
    form: Form | None = None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        line, column = (int(m.group(1)), int(m.group(2))) if m else (None, None)
        problems = [DefinitionProblem.of("DEF-021", name, line, column, None, line_no=line, column=column)]
        data = {}
    else:
        where = _Locator(text)
        problems, clean = _load_parts(data, where, name)
        try:
            loaded = Form.from_dict(clean)
        except UnionformsError as exc:
            if not problems or (exc.code in _FORM_LEVEL and exc.code not in {p.code for p in problems}):
                line, column = where.find(*_key_of(exc))
                problems.append(DefinitionProblem.from_error(exc, name, line, column))
        else:
            form = None if problems else loaded
        if form is not None:
            problems += _warnings(form, data, where, name, registry)
    if mapping_file.exists():  # checked even when the definition does not load: every problem in one run
        form_id = data.get("id") if isinstance(data.get("id"), str) else None
        problems += _check_mapping(mapping_file, form, form_id, registry)
    return CheckResult(name, tuple(problems), form)


#: Errors about the form as a whole, reported beside errors in its lines and rules (each is independent
#: of them); any other error of a definition with such errors may follow from them and is left out.
_FORM_LEVEL = frozenset(
    ("DEF-001", "DEF-011", "DEF-012", "DEF-024", "DEF-025", "DEF-030", "DEF-031", "DEF-032", "DEF-033")
)


def _key_of(exc: UnionformsError) -> tuple[object, ...]:
    """Where a form-level error points: the key it names (DEF-001, DEF-024, DEF-025), else the form's id."""
    key = str(exc.params.get("key", "")).strip("'\"")
    known = ("id", "family", "year", "version", "title", "money_decimals", "decimals", "line_style")
    return ("", 0, key if key in known else "id")


def _load_parts(
    data: Mapping[str, Any], where: _Locator, file: str
) -> tuple[list[DefinitionProblem], dict[str, Any]]:
    """Every unknown key, and each line and rule loaded on its own: every error, located; and the
    definition without what failed (unknown keys, lines and rules that did not load, entries naming their
    codes), for the errors of the form as a whole."""
    form_id = str(data.get("id", "?"))
    problems = _unknown_keys(data, where, file)
    problems += _identity(data, where, file)
    clean: dict[str, Any] = {k: v for k, v in data.items() if k in FORM_KEYS}
    for table, known in (("header", HEADER_KEYS), ("notes", NOTES_KEYS)):
        if isinstance(clean.get(table), dict):
            clean[table] = {k: v for k, v in clean[table].items() if k in known}
    units: dict[str, str] = {}
    numbers: set[str] = set()
    failed: set[str] = set()  # lines that did not load: rules naming their codes are not judged
    lines = []
    for i, raw in enumerate(data.get("lines", ()) if isinstance(data.get("lines"), list) else ()):
        number = str(raw.get("number", "?")) if isinstance(raw, dict) else "?"
        rows = raw.get("rows", []) if isinstance(raw, dict) else []
        if number in numbers:
            line, column = where.find("lines", i, "number")
            problems.append(
                DefinitionProblem.of("DEF-002", file, line, column, None, form=form_id, line=number)
            )
        numbers.add(number)
        try:
            parsed = Line.from_markup(number, tuple(str(r) for r in rows), form=form_id)
        except DefinitionError as exc:
            k, offset = _row_of(exc, rows)
            if k is None:
                line, column = where.find("lines", i, "number")
            else:
                line, column = where.find("lines", i, "rows", k, offset=offset)
            problems.append(DefinitionProblem.from_error(exc, file, line, column))
            failed.add(number)
            continue
        lines.append({"number": number, "rows": rows})
        for f in parsed.fields:
            if f.code in units:
                line, column = where.find("lines", i, "number")
                problems.append(
                    DefinitionProblem.of("DEF-015", file, line, column, None, form=form_id, field=f.code)
                )
            units[f.code] = f.unit
    ids: set[str] = set()
    rules = []
    for i, raw in enumerate(data.get("rules", ()) if isinstance(data.get("rules"), list) else ()):
        rid = str(raw.get("id", "?")) if isinstance(raw, dict) else "?"
        kept = {k: v for k, v in raw.items() if k in RULE_KEYS} if isinstance(raw, dict) else raw
        try:
            rule = Rule.from_dict(dict(kept))
            if rule.id in ids:
                raise DefinitionError("DEF-005", form=form_id, rule=rule.id)
            ids.add(rule.id)
            check_kinds(rule, units, form=form_id)
        except DefinitionError as exc:
            if exc.code == "RULE-002" and any(c[:2] in failed for c in _codes_in(raw)):
                continue
            key = "id" if exc.code == "DEF-005" else "expr"
            line, column = where.find("rules", i, key, offset=exc.position if key == "expr" else None)
            problems.append(DefinitionProblem.from_error(exc, file, line, column, exc.rule or rid))
            continue
        rules.append(kept)
    if "lines" in clean:
        clean["lines"] = lines
    if "rules" in clean:
        clean["rules"] = rules
    for table in ("decimals", "aggregate"):
        if isinstance(clean.get(table), dict):
            clean[table] = {c: v for c, v in clean[table].items() if str(c)[:2] not in failed}
    return problems, clean


def _unknown_keys(data: Mapping[str, Any], where: _Locator, file: str) -> list[DefinitionProblem]:
    """A problem for every key of every table the format does not know (DEF-040, DEF-041), at the key."""
    tables: list[tuple[object, str, Collection[str], tuple[object, ...]]] = [
        (data, "form.toml", FORM_KEYS, ("", 0)),
        (data.get("header"), "[header]", HEADER_KEYS, ("header", 0)),
        (data.get("notes"), "[notes]", NOTES_KEYS, ("notes", 0)),
    ]
    for name, keys in (("lines", LINE_KEYS), ("rules", RULE_KEYS)):
        items = data.get(name)
        for i, raw in enumerate(items if isinstance(items, list) else ()):
            key = "number" if name == "lines" else "id"
            label = raw.get(key, "?") if isinstance(raw, dict) else "?"
            tables.append((raw, f"[[{name}]] {label}", keys, (name, i)))
    out = []
    for table, label, known, at in tables:
        if not isinstance(table, dict):
            continue
        for unknown in unknown_keys(table, known):
            exc = key_error(unknown, label)
            line, column = where.find(*at, unknown.key)
            out.append(DefinitionProblem.from_error(exc, file, line, column))
    return out


def _identity(data: Mapping[str, Any], where: _Locator, file: str) -> list[DefinitionProblem]:
    """DEF-042 at ``family`` or ``year`` when the two do not make the id (``family-year``)."""
    form_id, family, year = data.get("id"), data.get("family"), data.get("year")
    if not isinstance(form_id, str) or not isinstance(family, str) or not isinstance(year, int):
        return []  # missing or of the wrong type: the form's own load says so
    want = f"{family}-{year}"
    if form_id == want:
        return []
    key = "family" if not form_id.startswith(f"{family}-") else "year"
    line, column = where.find("", 0, key)
    exc = DefinitionError("DEF-042", form=form_id, id=form_id, family=family, year=year, want=want)
    return [DefinitionProblem.from_error(exc, file, line, column)]


def _codes_in(raw: object) -> list[str]:
    expr = raw.get("expr") if isinstance(raw, dict) else None
    return re.findall(r"\b\d{2}[A-Z]?(?:\.\d+)?\b", expr) if isinstance(expr, str) else []


def _row_of(exc: UnionformsError, rows: list[Any]) -> tuple[int | None, int]:
    """Which row a markup error names (its ``row`` parameter), and the character it names (0 if none)."""
    offset = exc.position or 0
    quoted = exc.params.get("row")
    for k, row in enumerate(rows):
        if isinstance(row, str) and repr(row) == quoted:
            return k, offset
    return None, offset


def _warnings(
    form: Form, data: Mapping[str, Any], where: _Locator, file: str, registry: Registry | None
) -> list[DefinitionProblem]:
    out: list[DefinitionProblem] = []
    rule_index = {r.id: i for i, r in enumerate(form.rules)}

    def at_rule(rule: Rule) -> tuple[int | None, int | None]:
        return where.find("rules", rule_index[rule.id], "expr")

    copied = data.get("copied_from")
    if isinstance(copied, str) and registry is not None and copied in registry.forms:
        out += _stale_rules(form, registry.forms[copied], at_rule, file)
    out += _repeated_labels(form, where, file)
    return out


def _stale_rules(form: Form, before: Form, at_rule: Any, file: str) -> list[DefinitionProblem]:
    """Rules kept from ``before`` whose codes now name fields with another label (LINT-002)."""
    out = []
    pairs = pair_by_labels(before, form)
    before_rules = {r.id: r for r in before.rules}
    for rule in form.rules:
        old = before_rules.get(rule.id)
        if old is None or shape(old.tree) != shape(rule.tree):
            continue
        moved = []
        for code in rule.codes:
            was: Field | None = before.fields.get(code)
            now = form.fields[code]
            if was is None or normal_label(was.label) == normal_label(now.label):
                continue
            to = pairs.get(code)
            moved.append(
                f"{code} 在 {before.id} 中是“{was.label}”，在本表是“{now.label}”"
                + (f"（“{was.label}”现为 {to}）" if to and to != code else "")
            )
        if moved:
            line, column = at_rule(rule)
            out.append(
                DefinitionProblem.of(
                    "LINT-002", file, line, column, rule.id, source=before.id, moved="；".join(moved)
                )
            )
    return out


def _repeated_labels(form: Form, where: _Locator, file: str) -> list[DefinitionProblem]:
    """Blanks of one line with one label in different rows that read the same, letters aside (LINT-003).

    The same words under another line (帮扶困难职工 and 帮扶农民工 each list 生活救助…) or twice in one
    printed row (运送___人次 after each vehicle) are how forms print; a second identical row is a copy.
    """
    out = []
    for i, line in enumerate(form.lines):
        seen: dict[tuple[str, str], tuple[int, str]] = {}
        for k, row in enumerate(line.rows):
            text = normal_label(_LETTER_RE.sub("", row.printed))
            for f in row.fields:
                key = (normal_label(f.label), text)
                first = seen.setdefault(key, (k, f.code))
                if first[0] != k:
                    at_line, column = where.find("lines", i, "rows", k)
                    out.append(
                        DefinitionProblem.of(
                            "LINT-003", file, at_line, column, code=f.code, label=f.label, first=first[1]
                        )
                    )
    return out


def _check_mapping(
    path: Path, form: Form | None, form_id: str | None, registry: Registry | None
) -> list[DefinitionProblem]:
    """The problems of the mapping.toml beside a definition, each at the entry it concerns: every unknown
    key, every malformed entry, and how it fits the earlier form and ``form`` (without ``form``, a
    definition that does not load, only the earlier side and the id it names)."""
    name = str(path)
    try:
        text = read_definition(path).decode("utf-8")
        data = tomllib.loads(text)
    except (DefinitionError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        line, column = (int(m.group(1)), int(m.group(2))) if m else (None, None)
        detail = exc.detail if isinstance(exc, DefinitionError) else f"{type(exc).__name__}: {exc}"
        return [
            DefinitionProblem.from_error(
                MappingError("MAP-008", detail=detail, file=name), name, line, column
            )
        ]
    where = _Locator(text)

    def problem(exc: UnionformsError, at: tuple[int | None, int | None] = (None, None)) -> DefinitionProblem:
        return DefinitionProblem.from_error(exc, name, *at)

    raw_entries = data.get("map", [])
    tables: list[tuple[object, str, Collection[str], tuple[object, ...]]] = [
        (data, "mapping.toml", MAPPING_KEYS, ("", 0))
    ]
    if isinstance(raw_entries, list):
        tables += [(raw, f"[[map]] #{i}", ENTRY_KEYS, ("map", i - 1)) for i, raw in enumerate(raw_entries, 1)]
    out = []
    for table, label, known, at in tables:
        for unknown in unknown_keys(table, known) if isinstance(table, dict) else ():
            refused = key_error(unknown, label, ("MAP-020", "MAP-021"), MappingError, file=name)
            out.append(problem(refused, where.find(*at, unknown.key)))
    try:
        heading = FormMapping.from_dict({k: data[k] for k in ("from", "to") if k in data}, file=name)
    except MappingError as exc:
        return [*out, problem(exc, where.find("", 0, "from"))]
    entries: list[MappingEntry] = []
    for i, raw in enumerate(raw_entries if isinstance(raw_entries, list) else (), 1):
        kept = {k: v for k, v in raw.items() if k in ENTRY_KEYS} if isinstance(raw, dict) else raw
        try:
            entries += FormMapping.from_dict({"from": "", "to": "", "map": [kept]}).entries
        except MappingError as exc:  # loaded alone, it is entry 1: named by its place in the file
            params: dict[str, Any] = {**exc.params, "index": i} if "index" in exc.params else dict(exc.params)
            out.append(
                problem(
                    MappingError(exc.code, detail=exc.detail, file=name, **params), where.find("map", i - 1)
                )
            )
    mapping = attrs.evolve(heading, entries=tuple(entries))
    if form_id is not None and mapping.new != form_id:
        unfit = MappingError(
            "MAP-002", old=mapping.old, new=mapping.new, want_old=mapping.old, want_new=form_id
        )
        return [*out, problem(unfit, where.find("", 0, "to"))]
    if registry is None or mapping.old not in registry.forms or len(entries) != len(raw_entries):
        return out  # no earlier form to fit, or entries left out: their codes would seem missing
    index = {entry.label: i for i, entry in enumerate(mapping.entries)}
    before = registry.forms[mapping.old]
    unfits = (
        mapping.problems(before, form)
        if form is not None
        else mapping.side_problems(before, "old", mapping.new)
    )
    for unfit in unfits:
        entry = unfit.params.get("entry")
        out.append(
            problem(unfit, where.find("map", index[entry]) if entry in index else where.find("", 0, "from"))
        )
    return out


def load_definition(path: str | Path, registry: Registry | None = None) -> tuple[Form, FormMapping | None]:
    """The form a definition file (or plugin folder) defines, and the mapping beside it if it fits.

    DefinitionError (DEF-006) naming the first error when the definition does not load.
    """
    result = check_definition(path, registry)
    if result.form is None:
        first = next(p for p in result.problems if p.severity is Severity.ERROR)
        raise DefinitionError("DEF-023", first=first.text(), path=str(path))
    beside = Path(result.file).parent / "mapping.toml"
    mapping = None
    if beside.exists() and not any(p.file == str(beside) for p in result.problems):
        mapping = FormMapping.from_toml(beside)
    return result.form, mapping
