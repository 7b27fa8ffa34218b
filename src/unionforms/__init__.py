"""unionforms: statistical report forms of Chinese trade unions — define, fill, read, check, add up.

The names below are imported when first used (:pep:`562`), not when the package is: a command that
only lists the forms must not pay for the rule evaluator, and ``import unionforms.core.catalogue`` must not
import the whole library.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from unionforms.core.errors import (
        CATALOGUE,
        DefinitionError,
        InputError,
        PluginError,
        RuleSyntaxError,
        UnionformsError,
    )
    from unionforms.core.evaluate import Outcome, Status, evaluate
    from unionforms.core.findings import Finding, Severity, Tally
    from unionforms.core.model import Field, Form, Header, Line, Notes, Row
    from unionforms.core.report import Meta, ReadResult, Report, Source
    from unionforms.core.rules import Missing, Rule
    from unionforms.core.units import UNITS, Kind
    from unionforms.core.validate import check_read, check_rules, typed_values, validate
    from unionforms.io.frames import to_frame
    from unionforms.plugins.hookspecs import hookimpl
    from unionforms.plugins.registry import Registry, default_registry

#: Public name -> the module that defines it.
_WHERE = {
    **dict.fromkeys(
        ("CATALOGUE", "DefinitionError", "InputError", "PluginError", "RuleSyntaxError", "UnionformsError"),
        "errors",
    ),
    **dict.fromkeys(("Outcome", "Status", "evaluate"), "evaluate"),
    **dict.fromkeys(("Finding", "Severity", "Tally"), "findings"),
    "hookimpl": "hookspecs",
    "to_frame": "io.frames",
    **dict.fromkeys(("Field", "Form", "Header", "Line", "Notes", "Row"), "model"),
    **dict.fromkeys(("Registry", "default_registry"), "registry"),
    **dict.fromkeys(("Meta", "ReadResult", "Report", "Source"), "report"),
    **dict.fromkeys(("Missing", "Rule"), "rules"),
    **dict.fromkeys(("UNITS", "Kind"), "units"),
    **dict.fromkeys(("check_read", "check_rules", "typed_values", "validate"), "validate"),
}

__all__ = [
    "CATALOGUE",
    "UNITS",
    "DefinitionError",
    "Field",
    "Finding",
    "Form",
    "Header",
    "InputError",
    "Kind",
    "Line",
    "Meta",
    "Missing",
    "Notes",
    "Outcome",
    "PluginError",
    "ReadResult",
    "Registry",
    "Report",
    "Row",
    "Rule",
    "RuleSyntaxError",
    "Severity",
    "Source",
    "Status",
    "Tally",
    "UnionformsError",
    "check_read",
    "check_rules",
    "default_registry",
    "evaluate",
    "hookimpl",
    "to_frame",
    "typed_values",
    "validate",
]


def __getattr__(name: str) -> object:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # later lookups are plain attribute reads
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


class _Package(types.ModuleType):
    """``validate`` and ``evaluate`` name both a module and its function; the package exports the function.

    Importing the submodule makes the import system set the package's attribute to the module; this
    keeps the function there instead, as an eager ``from .validate import validate`` did.
    """

    def __setattr__(self, name: str, value: object) -> None:
        if name in ("validate", "evaluate") and isinstance(value, types.ModuleType):
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
