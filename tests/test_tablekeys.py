"""Unknown keys of a definition's tables: every one found, each with the closest known key if any."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from unionforms.core.errors import DefinitionError
from unionforms.core.model import FORM_KEYS
from unionforms.core.tablekeys import key_error, refuse_unknown, unknown_keys

_KEYS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12)


@given(st.lists(_KEYS, unique=True), st.lists(_KEYS, min_size=1, unique=True))
def test_exactly_the_unknown_keys_are_found_in_order_each_guess_a_known_key(
    keys: list[str], known: list[str]
) -> None:
    found = unknown_keys(dict.fromkeys(keys, 1), known)
    assert [u.key for u in found] == [k for k in keys if k not in known]
    assert all(u.guess is None or u.guess in known for u in found)


@pytest.mark.parametrize(
    ("key", "guess"),
    [("columns", "lines"), ("titel", "title"), ("money_decimal", "money_decimals"), ("zzz", None)],
)
def test_a_misspelt_key_is_offered_the_known_one(key: str, guess: str | None) -> None:
    (found,) = unknown_keys({key: 1}, FORM_KEYS)
    assert found.guess == guess
    error = key_error(found, "form.toml")
    assert error.code == ("DEF-041" if guess is None else "DEF-040")
    assert (f"是否应为 {guess}？" in error.message) == (guess is not None) and "title" in error.hint


def test_refuse_unknown_names_the_first_unknown_key_and_passes_a_clean_table() -> None:
    refuse_unknown({"id": 1, "title": 2}, FORM_KEYS, "form.toml")
    with pytest.raises(DefinitionError) as info:
        refuse_unknown({"id": 1, "colour": 2, "size": 3}, FORM_KEYS, "form.toml", form="x-1")
    assert info.value.params["key"] == "'colour'" and info.value.form == "x-1"
