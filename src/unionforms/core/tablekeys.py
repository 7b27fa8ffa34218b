"""Unknown keys in a table of a definition or mapping file, each with the known key it is closest to.

A key the format does not know would otherwise be ignored in silence (``columns = […]`` meant as
``lines``, ``sevrity`` for ``severity``): every loader refuses it, and ``check`` lists each, located.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import attrs

from unionforms.core.errors import DefinitionError


@attrs.frozen
class UnknownKey:
    """A key of ``table`` that is none of its known keys; ``guess`` is the closest known key, if any."""

    key: str
    guess: str | None
    known: str  # the known keys, listed for the message


def unknown_keys(table: Mapping[str, object], known: Collection[str]) -> list[UnknownKey]:
    """Every key of ``table`` not in ``known``, in the table's order, with a "did you mean" where one
    known key is close (difflib's ratio of at least 0.5: `columns` is taken for `lines`)."""
    strays = [key for key in table if key not in known]
    if not strays:
        return []
    import difflib  # only when a key is unknown: reading a definition that is right need not pay for it

    listed = ", ".join(known)
    return [
        UnknownKey(key, next(iter(difflib.get_close_matches(key, known, n=1, cutoff=0.5)), None), listed)
        for key in strays
    ]


def key_error(
    unknown: UnknownKey,
    table: str,
    codes: tuple[str, str] = ("DEF-040", "DEF-041"),
    error: type[DefinitionError] = DefinitionError,
    **where: Any,
) -> DefinitionError:
    """The error for ``unknown`` in ``table`` (``form.toml``, ``[header]``, ``[[rules]] 04E-part`` …): the
    first of ``codes`` naming the key it is closest to, the second when none is close."""
    params = {"table": table, "key": repr(unknown.key), "known": unknown.known, **where}
    if unknown.guess is None:
        return error(codes[1], **params)
    return error(codes[0], guess=unknown.guess, **params)


def refuse_unknown(
    table: Mapping[str, object],
    known: Collection[str],
    name: str,
    codes: tuple[str, str] = ("DEF-040", "DEF-041"),
    error: type[DefinitionError] = DefinitionError,
    **where: Any,
) -> None:
    """Raise :func:`key_error` for the first unknown key of ``table``, if it has one."""
    for unknown in unknown_keys(table, known):
        raise key_error(unknown, name, codes, error, **where)
