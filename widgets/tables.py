"""Tables for reading: a DataFrame whose prose is left-aligned.

pandas right-aligns every cell of a DataFrame's HTML table, which suits
numbers and makes sentences hard to read (their ragged edge is on the
left). :func:`show_table` returns a ``Styler`` that aligns the text columns
(titles, claims, notes, URLs) to the left, and leaves numbers and dates
right-aligned, where their digits line up::

    from widgets.tables import show_table
    show_table(events[["date", "title", "source_url"]].head())

A Styler renders as HTML in Jupyter and as plain text elsewhere; the data is
not changed (``show_table(df).data is df``).
"""

from __future__ import annotations

import pandas as pd
from pandas.api.types import is_bool_dtype, is_numeric_dtype

__all__ = ["text_columns", "show_table"]

#: The style of a text cell and its header (wrapping long prose instead of one very wide line).
TEXT_STYLE = "text-align: left; white-space: normal; max-width: 40em"


def text_columns(df: pd.DataFrame) -> list:
    """The columns that hold text: object or string dtype, not numbers, booleans or dates.

    An object column counts as text when its non-missing values are strings
    (so a column of mixed numbers stored as objects keeps its alignment).
    """
    out = []
    for col in df.columns:
        s = df[col]
        if is_numeric_dtype(s) or is_bool_dtype(s) or isinstance(s.dtype, pd.DatetimeTZDtype):
            continue
        if pd.api.types.is_datetime64_any_dtype(s) or pd.api.types.is_timedelta64_dtype(s):
            continue
        if pd.api.types.is_string_dtype(s):
            values = s.dropna()
            if values.map(lambda v: isinstance(v, str)).all():
                out.append(col)
    return out


def show_table(df: pd.DataFrame, *, hide_index: bool = False):
    """``df`` as a ``Styler`` with its text columns (and their headers) left-aligned.

    Values read as the DataFrame itself shows them: dates without a time of
    day when they have none, floats without trailing zeros (``1.5``, not
    ``1.500000``), missing values blank. ``hide_index=True`` leaves out the
    row labels. Raises ``TypeError`` for anything but a DataFrame (a Series:
    use ``series.to_frame()``).
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(
            f"show_table takes a pandas DataFrame, got {type(df).__name__}"
            + (" (use series.to_frame())" if isinstance(df, pd.Series) else "")
        )
    cols = text_columns(df)
    styler = df.style.format(na_rep="")
    for col in df.columns:
        s = df[col]
        if pd.api.types.is_datetime64_any_dtype(s):
            values = s.dropna()
            midnight = values.empty or bool((values == values.dt.normalize()).all())
            styler = styler.format(_date if midnight else _datetime, subset=[col], na_rep="")
        elif pd.api.types.is_float_dtype(s):
            styler = styler.format(_float, subset=[col], na_rep="")
    others = [c for c in df.columns if c not in cols]
    if others:  # numbers and dates stay on one line (a date would break at its hyphens beside long prose)
        styler = styler.set_properties(subset=others, **{"white-space": "nowrap"})
    if cols:
        styler = styler.set_properties(subset=cols, **dict(_css(TEXT_STYLE)))
        styler = styler.set_table_styles(
            {c: [{"selector": "th", "props": TEXT_STYLE}] for c in cols}, overwrite=False
        )
    if hide_index:
        styler = styler.hide(axis="index")
    return styler


def _date(ts) -> str:
    return ts.strftime("%Y-%m-%d")


def _float(v) -> str:
    """Up to six decimals without trailing zeros (``1.5``, ``0.333333``), every digit before the point
    (``1234567.5``, where ``{:.6g}`` would show ``1.23457e+06``); exponent form only for very small or
    very large numbers, as pandas shows them."""
    if v == 0 or 1e-4 <= abs(v) < 1e16:
        return f"{v:.6f}".rstrip("0").rstrip(".")
    return f"{v:.6g}"


def _datetime(ts) -> str:
    return ts.isoformat(sep=" ")


def _css(style: str) -> list[tuple[str, str]]:
    return [tuple(part.strip() for part in item.split(":", 1)) for item in style.split(";") if item.strip()]
