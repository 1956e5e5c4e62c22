"""Lessons 07 and 08 run side A's design against a preset partner through one function,
``course.trust.against_preset``, instead of each defining its own ``run()`` helper in a set-up cell.

The function is checked against ``simulate`` called by hand with the preset's numbers (the oracle is
written out here, not imported from the function), and the lessons are read: neither defines ``run``
any more, both call ``against_preset``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from course.trust import PRESETS, StakesDesign, against_preset, compare_designs, simulate

REPO = Path(__file__).resolve().parent.parent
LESSONS = ["07_small_steps_grit.ipynb", "08_trust_lab.ipynb"]


def _by_hand(design, preset, **changes):
    cfg = PRESETS[preset]
    kw = dict(noise=cfg["noise"], provocation=cfg["provocation"], renege=cfg["renege"])
    kw.update(changes)
    return simulate(design, cfg["strategy_b"], rounds=50, runs=200, seed=0, **kw)


@pytest.mark.parametrize(
    "preset, changes",
    [
        ("partner who reneges after gains", {}),
        ("frequent provocations", {"provocation": 0.3}),
        ("reliable partner", {"b": 0.5}),
    ],
)
def test_against_preset_is_simulate_with_the_presets_numbers(preset, changes):
    design = StakesDesign("small", response="match")
    got, want = against_preset(design, preset, **changes), _by_hand(design, preset, **changes)
    assert np.array_equal(got.payoff_a, want.payoff_a) and np.array_equal(got.stake_b, want.stake_b)
    assert got.params == want.params


def test_against_preset_names_an_unknown_preset():
    with pytest.raises(ValueError, match="reliable partner"):
        against_preset(StakesDesign("small"), "reliabel partner")


def test_compare_designs_cells_are_against_preset_runs():
    grid = compare_designs(partners=("frequent provocations",), runs=20)
    row = grid[(grid["opening"] == "all") & (grid["response"] == "grim")].iloc[0]
    res = against_preset(StakesDesign("all", response="grim"), "frequent provocations", runs=20)
    assert row["mean payoff"] == float(res.total_payoff("a").mean())


@pytest.mark.parametrize("name", LESSONS)
def test_the_lessons_call_against_preset_and_define_no_run_helper(name):
    cells = json.loads((REPO / "lessons" / name).read_text(encoding="utf-8"))["cells"]
    code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    assert not re.search(r"^\s*def run\(", code, flags=re.M), f"{name} still defines run()"
    assert not re.search(r"(?<![\w.])run\(", code), f"{name} still calls run()"
    assert "against_preset(" in code
