"""A form's layout as plain data, for `unionforms show --json` and other systems."""

from __future__ import annotations

from typing import Any

from unionforms.core.model import Form


def describe(form: Form) -> dict[str, Any]:
    """Identity, every field (code, line, letter, label, unit, kind, declared decimals) and every rule."""
    return {
        "id": form.id,
        "family": form.family,
        "year": form.year,
        "version": form.version,
        "title": form.title,
        "fields": [
            {
                "code": f.code,
                "line": f.line,
                "letter": f.letter,
                "label": f.label,
                "unit": f.unit,
                "kind": f.kind.value,
                "decimals": form.declared_decimals(f.code),
            }
            for f in form.iter_fields()
        ],
        "rules": [
            {
                "id": r.id,
                "expr": r.expr,
                "severity": r.severity.value,
                "message": r.message or r.reason,
                "reason": r.reason,
                "missing": r.missing.value,
                "tolerance": format(r.tolerance, "f"),
                "mixed_units": r.mixed_units,
            }
            for r in form.rules
        ],
    }


def describe_text(form: Form) -> str:
    """The layout as the paper form prints it, each blank tagged with its code."""
    out = [f"{form.title}  [{form.id}, version {form.version}]"]
    h = form.header
    out.append(f"{h.unit_label}：          年  月  日    {h.filler_label}：          {h.phone_label}：")
    notes = [f"{form.notes.heading}：" + "".join(form.notes.items)] if form.notes.items else []
    if form.notes.position == "top":
        out += notes
    for line in form.lines:
        for i, row in enumerate(line.rows):
            text = row.printed
            for f in row.fields:
                text = text.replace("___", f"[{f.code}]", 1)
            out.append(f"{form.line_label(line.number) if i == 0 else '':<4}  {text}")
    if form.notes.position == "bottom":
        out += notes
    out.append(f"{len(form.fields)} fields, {len(form.rules)} rules")
    overrides = _overrides(form)
    if overrides:
        out.append("声明 / declared (where the defaults do not hold):")
        out += [f"  {text}" for text in overrides]
    if form.rules:
        out.append("审核规则 / rules (id [severity] expr, then its reason):")
    for r in form.rules:
        out.append(f"  {r.id}  [{r.severity.value}]  {r.expr}")
        out.append(f"      {r.reason}")
    return "\n".join(out)


def _overrides(form: Form) -> list[str]:
    """Every setting of the definition that is not its default, one line each, as written in form.toml:
    the places of 万元 blanks (the form's and each field's), the line style and how fields add up."""
    out = []
    if form.money_decimals != 2:
        out.append(f"万元栏小数位数 money_decimals = {form.money_decimals}")
    out += [f"{code} {form.fields[code].label}：小数位数 decimals = {n}" for code, n in form.decimals.items()]
    if form.line_style != "plain":
        out.append(f'行号样式 line_style = "{form.line_style}"')
    out += [
        f'{code} {form.fields[code].label}：汇总方式 aggregate = "{way.value}"'
        for code, way in form.aggregate.items()
    ]
    return out
