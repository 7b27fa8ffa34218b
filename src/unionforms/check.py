"""Check a form definition without installing it: every problem at once, located by TOML line and column.

``check_path`` takes a ``form.toml`` or a plugin package folder (its ``pyproject.toml`` names the package;
the definition is the ``form.toml`` inside, and a ``mapping.toml`` beside it is checked too). Each line,
row and rule is loaded on its own, so one mistake does not hide the next. Errors are what the loader
refuses (DEF, RULE, MAP codes); warnings (LINT) are what loads but is probably wrong:

- LINT-002: a rule copied unchanged from the form named by ``copied_from`` whose codes now name fields
  with other labels — after a letter shift ``04E <= 04D`` silently compares other things;
- LINT-003: two rows of one line that read the same, letters aside, giving their blanks one label.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from .catalogue import CATALOGUE, render
from .diff import pair_by_labels, shape
from .errors import DefinitionError, UnionformsError
from .findings import Severity
from .mapping import FormMapping, MappingError, normal_label
from .model import Field, Form, Line, read_definition
from .registry import Registry
from .rules import Rule, check_kinds

_LETTER_RE = re.compile(r"（[A-Z]）")
_STRING_RE = re.compile(r'"((?:[^"\\]|\\.)*)"')
_HEADER_RE = re.compile(r"^\s*(\[\[?)\s*([A-Za-z_]+)\s*\]\]?")
_KEY_RE = re.compile(r'^\s*([A-Za-z_][A-Za-z0-9_-]*)\s*=\s*(")?')


@attrs.frozen
class Problem:
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
    ) -> Problem:
        """The problem an error raised while loading stands for, at the place found for it."""
        return cls(Severity.ERROR, exc.code, exc.message, file, line, column, rule or exc.rule, exc.position)

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
    ) -> Problem:
        """The problem ``code`` with its message from the catalogue; its severity is the catalogue's."""
        severity = Severity(CATALOGUE[code].severity or "error")
        return cls(severity, code, render(code, {"rule": rule, **params}).text_zh, file, line, column, rule)


@attrs.frozen
class CheckResult:
    """The problems of one definition, and the form when it loads."""

    file: str
    problems: tuple[Problem, ...]
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


def check_path(path: str | Path, registry: Registry | None = None) -> CheckResult:
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
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        line, column = (int(m.group(1)), int(m.group(2))) if m else (None, None)
        problem = Problem.of("DEF-021", name, line, column, None, line_no=line, column=column)
        return CheckResult(name, (problem,))
    where = _Locator(text)
    problems = _load_parts(data, where, name)
    form = None
    if not problems:
        try:
            form = Form.from_dict(data)
        except UnionformsError as exc:
            line, column = where.find(*_key_of(exc))
            problems.append(Problem.from_error(exc, name, line, column))
    if form is not None:
        problems += _warnings(form, data, where, name, registry)
        mapping_file = file.parent / "mapping.toml"
        if mapping_file.exists():
            problems += _check_mapping(mapping_file, form, registry)
    return CheckResult(name, tuple(problems), form)


def _key_of(exc: UnionformsError) -> tuple[object, ...]:
    """Where a form-level error points: the key it names (DEF-001, DEF-024, DEF-025), else the form's id."""
    key = str(exc.params.get("key", "")).strip("'\"")
    known = ("id", "family", "year", "version", "title", "money_decimals", "decimals")
    return ("", 0, key if key in known else "id")


def _load_parts(data: Mapping[str, Any], where: _Locator, file: str) -> list[Problem]:
    """Load each line and rule separately; every error, located."""
    problems: list[Problem] = []
    form_id = str(data.get("id", "?"))
    units: dict[str, str] = {}
    numbers: set[str] = set()
    failed: set[str] = set()  # lines that did not load: rules naming their codes are not judged
    for i, raw in enumerate(data.get("lines", ()) if isinstance(data.get("lines"), list) else ()):
        number = str(raw.get("number", "?")) if isinstance(raw, dict) else "?"
        rows = raw.get("rows", []) if isinstance(raw, dict) else []
        if number in numbers:
            line, column = where.find("lines", i, "number")
            problems.append(Problem.of("DEF-002", file, line, column, None, form=form_id, line=number))
        numbers.add(number)
        try:
            parsed = Line.from_markup(number, tuple(str(r) for r in rows), form=form_id)
        except DefinitionError as exc:
            k, offset = _row_of(exc, rows)
            if k is None:
                line, column = where.find("lines", i, "number")
            else:
                line, column = where.find("lines", i, "rows", k, offset=offset)
            problems.append(Problem.from_error(exc, file, line, column))
            failed.add(number)
            continue
        for f in parsed.fields:
            if f.code in units:
                line, column = where.find("lines", i, "number")
                problems.append(Problem.of("DEF-015", file, line, column, None, form=form_id, field=f.code))
            units[f.code] = f.unit
    ids: set[str] = set()
    for i, raw in enumerate(data.get("rules", ()) if isinstance(data.get("rules"), list) else ()):
        rid = str(raw.get("id", "?")) if isinstance(raw, dict) else "?"
        try:
            rule = Rule.from_dict(dict(raw))
            if rule.id in ids:
                raise DefinitionError("DEF-005", form=form_id, rule=rule.id)
            ids.add(rule.id)
            check_kinds(rule, units, form=form_id)
        except DefinitionError as exc:
            if exc.code == "RULE-002" and any(c[:2] in failed for c in _codes_in(raw)):
                continue
            key = "id" if exc.code == "DEF-005" else "expr"
            line, column = where.find("rules", i, key, offset=exc.position if key == "expr" else None)
            problems.append(Problem.from_error(exc, file, line, column, exc.rule or rid))
    return problems


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
) -> list[Problem]:
    out: list[Problem] = []
    rule_index = {r.id: i for i, r in enumerate(form.rules)}

    def at_rule(rule: Rule) -> tuple[int | None, int | None]:
        return where.find("rules", rule_index[rule.id], "expr")

    copied = data.get("copied_from")
    if isinstance(copied, str) and registry is not None and copied in registry.forms:
        out += _stale_rules(form, registry.forms[copied], at_rule, file)
    out += _repeated_labels(form, where, file)
    return out


def _stale_rules(form: Form, before: Form, at_rule: Any, file: str) -> list[Problem]:
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
                f"{code} was “{was.label}” in {before.id} and is now “{now.label}”"
                + (f" (“{was.label}” is now {to})" if to and to != code else "")
            )
        if moved:
            line, column = at_rule(rule)
            out.append(
                Problem.of("LINT-002", file, line, column, rule.id, source=before.id, moved="; ".join(moved))
            )
    return out


def _repeated_labels(form: Form, where: _Locator, file: str) -> list[Problem]:
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
                        Problem.of(
                            "LINT-003", file, at_line, column, code=f.code, label=f.label, first=first[1]
                        )
                    )
    return out


def _check_mapping(path: Path, form: Form, registry: Registry | None) -> list[Problem]:
    """The problems of the mapping.toml beside a definition, each at the entry it concerns."""
    name = str(path)
    try:
        text = read_definition(path).decode("utf-8")
    except (DefinitionError, UnicodeDecodeError) as exc:
        return [Problem.from_error(MappingError("MAP-008", detail=str(exc), file=name), name, None, None)]
    where = _Locator(text)

    def problem(exc: UnionformsError, line: int | None = None, column: int | None = None) -> Problem:
        return Problem.from_error(exc, name, line, column)

    try:
        mapping = FormMapping.from_toml(path)
    except MappingError as exc:
        index = exc.params.get("index")
        line, column = where.find("map", int(str(index)) - 1) if index is not None else (None, None)
        if line is None:
            m = re.search(r"\(at line (\d+), column (\d+)\)", exc.detail or "")
            line, column = (int(m.group(1)), int(m.group(2))) if m else (None, None)
        return [problem(exc, line, column)]
    if mapping.new != form.id:
        unfit = MappingError(
            "MAP-002", old=mapping.old, new=mapping.new, want_old=mapping.old, want_new=form.id
        )
        return [problem(unfit, *where.find("", 0, "to"))]
    if registry is None or mapping.old not in registry.forms:
        return []
    index = {entry.label: i for i, entry in enumerate(mapping.entries)}
    out = []
    for unfit in mapping.problems(registry.forms[mapping.old], form):
        entry = unfit.params.get("entry")
        at = where.find("map", index[entry]) if entry in index else where.find("", 0, "from")
        out.append(problem(unfit, *at))
    return out


def load_definition(path: str | Path, registry: Registry | None = None) -> tuple[Form, FormMapping | None]:
    """The form a definition file (or plugin folder) defines, and the mapping beside it if it fits.

    DefinitionError (DEF-006) naming the first error when the definition does not load.
    """
    result = check_path(path, registry)
    if result.form is None:
        first = next(p for p in result.problems if p.severity is Severity.ERROR)
        raise DefinitionError("DEF-023", first=first.text(), path=str(path))
    beside = Path(result.file).parent / "mapping.toml"
    mapping = None
    if beside.exists() and not any(p.file == str(beside) for p in result.problems):
        mapping = FormMapping.from_toml(beside)
    return result.form, mapping
