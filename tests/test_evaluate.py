"""Rule semantics: exact arithmetic, missing-value policies, tolerance, implication."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from unionforms import Missing, Rule, Severity, Status, evaluate


def _rule(expr: str, missing: Missing = Missing.SKIP, tolerance: str = "0") -> Rule:
    return Rule(
        id="r", expr=expr, severity=Severity.ERROR, reason="r", missing=missing, tolerance=Decimal(tolerance)
    )


money = st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False, allow_infinity=False)


@given(st.lists(money, min_size=1, max_size=6))
def test_sum_equality_is_exact(parts: list[Decimal]) -> None:
    codes = [f"05{chr(65 + i)}" for i in range(len(parts))]
    rule = _rule("#05 = " + " + ".join(codes))
    values = dict(zip(codes, parts, strict=True)) | {"05": sum(parts, Decimal(0))}
    assert evaluate(rule, values).status is Status.HOLDS
    values["05"] += Decimal("0.01")
    outcome = evaluate(rule, values)
    assert outcome.status is Status.BROKEN
    assert outcome.left == sum(parts, Decimal(0)) + Decimal("0.01")


def test_skip_policy_skips_when_any_value_is_blank() -> None:
    rule = _rule("#05 = 05A + 05B")
    assert evaluate(rule, {"05": Decimal(3), "05A": Decimal(1)}).status is Status.SKIPPED


def test_zero_policy_counts_blanks_as_zero_but_skips_all_blank() -> None:
    rule = _rule("#05 = 05A + 05B", Missing.ZERO)
    assert evaluate(rule, {"05": Decimal(3), "05A": Decimal(1)}).status is Status.BROKEN
    assert evaluate(rule, {"05": Decimal(1), "05A": Decimal(1)}).status is Status.HOLDS
    assert evaluate(rule, {}).status is Status.SKIPPED


@pytest.mark.parametrize(
    ("values", "status"),
    [
        ({}, Status.SKIPPED),
        ({"05A": Decimal(9)}, Status.SKIPPED),  # a blank total is not 0
        ({"05": Decimal(3), "05A": Decimal(1)}, Status.HOLDS),  # the blank part counts as 0
        ({"05": Decimal(3), "05A": Decimal(2), "05B": Decimal(2)}, Status.BROKEN),
        ({"05": Decimal(0), "05B": Decimal(1)}, Status.BROKEN),
        ({"05": Decimal(0)}, Status.HOLDS),
    ],
)
def test_total_policy_counts_blank_parts_as_zero_and_skips_a_blank_total(
    values: dict[str, Decimal], status: Status
) -> None:
    rule = _rule("05A + 05B <= #05", Missing.TOTAL)
    assert rule.totals == ("05",)
    assert evaluate(rule, values).status is status


@pytest.mark.parametrize(
    ("expr", "left", "right", "status"),
    [
        ("01B <= 01A", "100.005", "100", Status.HOLDS),
        ("01B <= 01A", "100.02", "100", Status.BROKEN),
        ("01B = 01A", "99.995", "100", Status.HOLDS),
        ("01B = 01A", "99.98", "100", Status.BROKEN),
        ("01B != 01A", "100.001", "100", Status.BROKEN),
        ("01B < 01A", "100.001", "100", Status.HOLDS),
        ("01B > 01A", "99.999", "100", Status.HOLDS),
        ("01B >= 01A", "99.98", "100", Status.BROKEN),
    ],
)
def test_tolerance_per_operator(expr: str, left: str, right: str, status: Status) -> None:
    rule = _rule(expr, tolerance="0.01")
    assert evaluate(rule, {"01B": Decimal(left), "01A": Decimal(right)}).status is status


def test_implication_holds_vacuously_and_breaks_on_conclusion() -> None:
    rule = _rule("07I > 0 -> 07J > 0")
    assert evaluate(rule, {"07I": 0, "07J": Decimal(0)}).status is Status.HOLDS
    outcome = evaluate(rule, {"07I": 3, "07J": Decimal(0)})
    assert outcome.status is Status.BROKEN
    assert outcome.comparison is not None and outcome.comparison.op == ">"


def test_flag_premise() -> None:
    rule = _rule("05B = 是 -> 05A > 0")
    assert evaluate(rule, {"05B": False, "05A": Decimal(0)}).status is Status.HOLDS
    assert evaluate(rule, {"05B": True, "05A": Decimal(0)}).status is Status.BROKEN
