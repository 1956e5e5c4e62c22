"""The schema's ``x-rules`` as frictionless checks.

Table Schema cannot say "an end date is never before its start" and the
like, so each table's schema lists such rules under ``x-rules``:

``not-before``              ``field`` is not before ``other`` (both dates; empty passes)
``precision-matches-date``  a ``month`` date is the 1st, a ``year`` date is 1 January
``must-be-true``            ``field`` is true (an unverified row does not ship)
``sum-equals``              ``field`` equals the sum of ``parts`` (when all are given)

:func:`checks_for` turns them into frictionless :class:`~frictionless.Check`
objects; each broken rule is a cell error whose ``type`` is the rule's name.
A table that has a header but no rows fails ``has-rows``.
"""

from __future__ import annotations

import attrs
from frictionless import Check, errors

__all__ = ["RULES", "ERRORS", "XRuleError", "XRule", "HasRows", "HasRowsError", "checks_for"]


class XRuleError(errors.CellError):
    """A broken x-rule; each rule has a subclass whose ``type`` is the rule's name."""

    type = "x-rule"
    title = "Course rule"
    description = "A row breaks one of the schema's x-rules."
    template = 'Row at position "{rowNumber}", field "{fieldName}": {note}'


class HasRowsError(errors.TableError):
    type = "has-rows"
    title = "No rows"
    description = "The table has a header but no rows."
    template = "{note}"


def _not_before(rule, row):
    a, b = row[rule["field"]], row[rule["other"]]
    if a is not None and b is not None and a < b:
        return f"{rule['field']} {a} is before {rule['other']} {b}"


def _precision_matches_date(rule, row):
    d, p = row[rule["field"]], row[rule["precision"]]
    if d is None or p is None:
        return None
    if p == "month" and d.day != 1:
        return f"precision is 'month' so the date must be the 1st of the month, not {d}"
    if p == "year" and (d.month, d.day) != (1, 1):
        return f"precision is 'year' so the date must be 1 January, not {d}"


def _must_be_true(rule, row):
    if row[rule["field"]] is False:
        return "the row is not verified; a row without a checked source does not ship"


def _sum_equals(rule, row):
    total, parts = row[rule["field"]], [row[p] for p in rule["parts"]]
    if total is not None and all(p is not None for p in parts) and sum(parts) != total:
        return (
            f"{rule['field']} {total} is not the sum of {' + '.join(rule['parts'])} "
            f"({' + '.join(map(str, parts))} = {sum(parts)})"
        )


#: rule name -> (the fields it reads, a function returning a message when the row breaks it)
RULES = {
    "not-before": (("field", "other"), _not_before),
    "precision-matches-date": (("field", "precision"), _precision_matches_date),
    "must-be-true": (("field",), _must_be_true),
    "sum-equals": (("field", "parts"), _sum_equals),
}

#: rule name -> its error class (``type`` is the rule's name)
ERRORS = {kind: type(f"XRuleError[{kind}]", (XRuleError,), {"type": kind}) for kind in RULES}


@attrs.define(kw_only=True, repr=False)
class XRule(Check):
    """One x-rule, checked on every row."""

    type = "x-rule"
    Errors = list(ERRORS.values())

    rule: dict

    def validate_row(self, row):
        message = RULES[self.rule["rule"]][1](self.rule, row)
        if message:
            yield ERRORS[self.rule["rule"]].from_row(row, note=message, field_name=self.rule["field"])

    metadata_profile_patch = {"properties": {"rule": {"type": "object"}}}


@attrs.define(kw_only=True, repr=False)
class HasRows(Check):
    """The table has at least one row."""

    type = "has-rows"
    Errors = [HasRowsError]

    def validate_start(self):
        self._rows = 0
        yield from []

    def validate_row(self, row):
        self._rows += 1
        yield from []

    def validate_end(self):
        if not self._rows:
            yield HasRowsError(note="the file has a header but no rows")


def checks_for(schema: dict) -> tuple[list[Check], list[str]]:
    """The checks for a schema's x-rules, and a message for each rule that is malformed or unknown."""
    fields = {f["name"] for f in schema.get("fields", [])}
    checks: list[Check] = [HasRows()]
    bad: list[str] = []
    for rule in schema.get("x-rules", []):
        kind = rule.get("rule")
        if kind not in RULES:
            bad.append(f"unknown rule {kind!r} in the schema; the rules are {', '.join(RULES)}")
            continue
        names = []
        for key in RULES[kind][0]:
            value = rule.get(key)
            names += value if isinstance(value, list) else [value]
        missing = [n for n in names if n not in fields]
        if missing:
            bad.append(f"rule {kind!r} names field(s) the schema lacks: {', '.join(map(str, missing))}")
            continue
        checks.append(XRule(rule=rule))
    return checks, bad
