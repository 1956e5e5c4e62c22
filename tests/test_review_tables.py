"""show_table's floats keep every digit before the point.

The float format was ``{:.6g}``: six significant digits, so 1234567.5 showed as ``1.23457e+06`` and
12345678.0 as ``1.23457e+07`` (digits lost, where the DataFrame itself shows 1234567.5 and 12345678.0),
against the docstring's "values read as the DataFrame itself shows them".
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from widgets.tables import show_table


def _cells(html: str) -> list[str]:
    return re.findall(r'<td id="T_\w+_row\d+_col0" class="data row\d+ col0" >(.*?)</td>', html)


def test_floats_keep_their_integer_digits_and_lose_only_trailing_zeros():
    values = [1234567.5, 12345678.0, 1.5, 2.0, 0.0, -3.25, 1 / 3, 0.1 + 0.2, 1e-7, 2.5e20, np.nan, np.inf]
    shown = _cells(show_table(pd.DataFrame({"x": values})).to_html())
    assert shown == [
        "1234567.5",
        "12345678",
        "1.5",
        "2",
        "0",
        "-3.25",
        "0.333333",
        "0.3",
        "1e-07",
        "2.5e+20",
        "",
        "inf",
    ]
    # no digit of a number of ordinary size is lost: each shown value reads back within 1e-6
    for v, text in zip(values[:8], shown[:8]):
        assert abs(float(text) - v) <= 5e-7, (v, text)
