"""The error catalogue and the exceptions that carry its codes.

Every code is topic-prefixed (``DEF`` form definitions, ``RULE`` rule text, ``PLUG`` plugin loading,
``IN`` unusable input, ``ENV`` the machine, ``VAL`` a value in a report, ``META`` the header,
``CHK`` a rule a report breaks, ``MAP`` a cross-year mapping, ``CMP`` a year-over-year comparison,
``LINT`` a definition that loads but is probably wrong).
A message says where first (form, rule, line, file, sheet, cell), then what is wrong, then how to fix it.
"""

from __future__ import annotations

#: code -> what it means; `docs/errors.md` lists the same codes.
CATALOGUE: dict[str, str] = {
    "DEF-001": "a form definition field has a wrong type or value",
    "DEF-002": "two blanks of one form have the same field code",
    "DEF-003": "a row's markup is malformed (unclosed bracket, unknown unit, bad letter)",
    "DEF-004": "a blank has no printed wording to label it; give the label in the markup",
    "DEF-005": "two rules of one form have the same id",
    "DEF-006": "a definition file cannot be read",
    "RULE-001": "a rule's text cannot be parsed",
    "RULE-002": "a rule names a field code the form does not have",
    "RULE-003": "a rule mixes kinds (count, money, 是/否) or compares a flag other than with 是/否",
    "RULE-004": "a rule's severity, missing-value policy or tolerance is invalid",
    "RULE-005": "a rule compares fields in different units (人 with 户, 人次 with 人) without saying why",
    "PLUG-001": "a plugin's entry point cannot be imported",
    "PLUG-002": "a plugin's hook raised or returned something that is not a list of forms",
    "PLUG-003": "two plugins register the same form id",
    "IN-001": "the file cannot be read",
    "IN-002": "the file is not a report in the expected format",
    "IN-003": "the report names a form that is not registered",
    "IN-004": "the file is of another form or definition version than expected",
    "IN-005": "the file is too large or looks hostile (zip or XML bomb)",
    "IN-006": "two returns of different forms are compared, and no mapping between them is declared",
    "VAL-001": "a count is negative",
    "VAL-002": "a count has a fractional part",
    "VAL-003": "a value is not a number",
    "VAL-004": "a 是/否 blank holds something other than 是 or 否",
    "VAL-005": "the report has a value for a field code the form does not have",
    "VAL-006": "money is negative",
    "VAL-007": "a formula cell has no cached result",
    "VAL-008": "a number is too large or too precise to be a real figure (more than 15 digits)",
    "ENV-001": "a program unionforms needs (LibreOffice, for PDF) is not installed",
    "META-001": "the header date is not a date",
    "META-002": "a header entry has the wrong type",
    "CHK-001": "a logic rule (逻辑性审核) is broken: must be fixed",
    "CHK-002": "a plausibility rule (合理性审核) is broken: worth a look",
    "CHK-003": "the report has no figures at all: every blank is empty",
    "CMP-001": "a figure changed implausibly from last year's (a jump): worth a look",
    "LINT-001": "retired: a comparison of different units is now refused at load (RULE-005)",
    "LINT-002": "a rule copied unchanged from the earlier form names codes that now mean other blanks",
    "LINT-003": "two rows of one line read the same, giving two blanks one label: a copied row not edited?",
    "MAP-001": "a cross-year mapping file is malformed (unknown kind, wrong number of codes, no why)",
    "MAP-002": "a cross-year mapping does not fit its two forms (unknown or uncovered code, units differ)",
}


class UnionformsError(Exception):
    """Base of every error unionforms raises on purpose; carries its catalogue code and location."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        hint: str | None = None,
        form: str | None = None,
        rule: str | None = None,
        line: str | None = None,
        field: str | None = None,
        position: int | None = None,
        file: str | None = None,
        sheet: str | None = None,
        cell: str | None = None,
    ) -> None:
        if code not in CATALOGUE:
            raise ValueError(f"unknown error code {code!r}")
        self.code = code
        self.message = message
        self.hint = hint
        self.form = form
        self.rule = rule
        self.line = line
        self.field = field
        self.position = position
        self.file = file
        self.sheet = sheet
        self.cell = cell
        super().__init__(str(self))

    def where(self) -> str:
        """The location part of the message, most general first."""
        parts = [
            f"{name} {value}"
            for name, value in (
                ("file", self.file),
                ("form", self.form),
                ("sheet", self.sheet),
                ("cell", self.cell),
                ("line", self.line),
                ("field", self.field),
                ("rule", self.rule),
                ("position", self.position),
            )
            if value is not None
        ]
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        text = f"[{where}] " if where else ""
        text += f"{self.code}: {self.message}"
        if self.hint:
            text += f" — {self.hint}"
        return text


class DefinitionError(UnionformsError):
    """A form definition is invalid: the form cannot exist."""


class RuleSyntaxError(DefinitionError):
    """A rule's text cannot be parsed or does not fit its form."""


class PluginError(UnionformsError):
    """A plugin could not be loaded or gave something unusable."""


class InputError(UnionformsError):
    """A file or argument cannot be used at all (distinct from findings inside a usable report)."""
