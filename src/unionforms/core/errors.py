"""The exceptions unionforms raises on purpose, each built from its code's entry in the catalogue.

``InputError("IN-011", file="r.json", line_no=3, column=7)``: the code picks the message
(:mod:`unionforms.core.catalogue`), the keyword arguments say where (file, form, sheet, cell, line, field,
rule, position) and fill its placeholders. The raw text of whatever went wrong underneath (an ``OSError``, a
parser's message) goes in ``detail``: kept for ``--json`` and logs, not shown to the filler.
"""

from __future__ import annotations

import os

from unionforms.core.catalogue import CATALOGUE, render

__all__ = [
    "CATALOGUE",
    "TRACEBACK_VARIABLE",
    "DefinitionError",
    "InputError",
    "PluginError",
    "RuleSyntaxError",
    "UnionformsError",
    "tracing",
]

#: The environment variable that shows plugin authors the Python traceback behind an error (the
#: option ``--traceback`` sets it, so that the worker processes of a bulk run see it too).
TRACEBACK_VARIABLE = "UNIONFORMS_TRACEBACK"


def tracing() -> bool:
    """Whether Python tracebacks were asked for (``--traceback``, or ``UNIONFORMS_TRACEBACK`` set to
    anything but ``0`` or empty): a plugin's exception then carries its whole traceback as detail."""
    return os.environ.get(TRACEBACK_VARIABLE, "") not in ("", "0")


#: The location keywords, most general first, with their Chinese names.
_WHERE = (
    ("file", "文件"),
    ("form", "表式"),
    ("sheet", "工作表"),
    ("cell", "单元格"),
    ("line", "行号"),
    ("field", "栏目"),
    ("rule", "规则"),
    ("position", "字符位置"),
)


class UnionformsError(Exception):
    """Base of every error unionforms raises on purpose: a catalogue code, where, the message and detail.

    ``message``/``hint`` are the Chinese what and how-to-fix, ``message_en``/``hint_en`` the English.
    """

    def __init__(
        self,
        code: str,
        /,
        *,
        detail: str | None = None,
        form: str | None = None,
        rule: str | None = None,
        line: str | None = None,
        field: str | None = None,
        position: int | None = None,
        file: str | None = None,
        sheet: str | None = None,
        cell: str | None = None,
        **params: object,
    ) -> None:
        where = {
            "form": form,
            "rule": rule,
            "line": line,
            "field": field,
            "position": position,
            "file": file,
            "sheet": sheet,
            "cell": cell,
        }
        rendered = render(code, {**where, **params})
        self.code = code
        self.params = params
        self.detail = detail
        self.message = rendered.zh
        self.hint = rendered.fix_zh
        self.message_en = rendered.en
        self.hint_en = rendered.fix_en
        self.form = form
        self.rule = rule
        self.line = line
        self.field = field
        self.position = position
        self.file = file
        self.sheet = sheet
        self.cell = cell
        super().__init__(code)

    def __reduce__(self) -> tuple[object, ...]:
        # Rebuilt from its code and keywords, so that it crosses process boundaries (``--jobs``).
        where = {key: getattr(self, key) for key, _ in _WHERE}
        return (_rebuild, (type(self), self.code, {"detail": self.detail, **where, **self.params}))

    def where(self) -> str:
        """The location part of the message, most general first: ``文件 r.xlsx，单元格 D6``."""
        return "，".join(f"{zh} {getattr(self, key)}" for key, zh in _WHERE if getattr(self, key) is not None)

    def text(self) -> str:
        """The Chinese line: where, code, what is wrong and how to fix it."""
        where = self.where()
        return f"{f'[{where}] ' if where else ''}{self.code} {self.message}{self.hint}"

    def text_en(self) -> str:
        """The English line: what is wrong — how to fix it."""
        return f"{self.message_en} — {self.hint_en}" if self.hint_en else self.message_en

    def __str__(self) -> str:
        text = f"{self.text()}\n    {self.text_en()}"
        if self.detail and CATALOGUE[self.code].show_detail:
            text += f"\n    详情 detail: {self.detail}"
        return text

    def to_dict(self) -> dict[str, object]:
        """JSON-ready: the code, where, both messages and the raw detail."""
        return {
            "code": self.code,
            **{key: getattr(self, key) for key, _ in _WHERE if getattr(self, key) is not None},
            "message": self.message + self.hint,
            "message_en": self.text_en(),
            "detail": self.detail,
        }


def _rebuild(cls: type[UnionformsError], code: str, arguments: dict[str, object]) -> UnionformsError:
    return cls(code, **arguments)  # type: ignore[arg-type]


class DefinitionError(UnionformsError):
    """A form definition is invalid: the form cannot exist."""


class RuleSyntaxError(DefinitionError):
    """A rule's text cannot be parsed or does not fit its form."""


class PluginError(UnionformsError):
    """A plugin could not be loaded or gave something unusable."""


class InputError(UnionformsError):
    """A file or argument cannot be used at all (distinct from findings inside a usable report)."""
