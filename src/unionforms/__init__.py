"""unionforms: statistical report forms of Chinese trade unions — define, fill, read, check, add up."""

from .errors import (
    CATALOGUE,
    DefinitionError,
    InputError,
    PluginError,
    RuleSyntaxError,
    UnionformsError,
)
from .evaluate import Outcome, Status, evaluate
from .findings import Finding, Severity, Tally
from .hookspecs import hookimpl
from .model import Field, Form, Header, Line, Notes, Row
from .registry import Registry, default_registry
from .report import Meta, ReadResult, Report, Source
from .rules import Missing, Rule
from .units import UNITS, Kind
from .validate import check_read, check_rules, typed_values, validate

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
    "typed_values",
    "validate",
]
