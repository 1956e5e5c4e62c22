"""Every hand-marked question in the problem sets has a rubric with level descriptors whose
points match the cell's, and an exemplar answer at the top level for graders."""

import json
import re
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[1] / "assignments" / "source"


def written_cells():
    for nb in sorted(SOURCE.glob("*/*.ipynb")):
        for c in json.loads(nb.read_text(encoding="utf-8"))["cells"]:
            meta = c["metadata"].get("nbgrader", {})
            if c["cell_type"] == "markdown" and meta.get("grade") and meta.get("solution"):
                yield pytest.param(
                    nb.parent.name, meta, "".join(c["source"]), id=f"{nb.parent.name}/{meta['grade_id']}"
                )


def _levels(rubric: str) -> list[int]:
    """The points of each level row of the rubric's tables (| 3 | ... |)."""
    rows = re.findall(r"^\|\s*(\d+)\s*(?:points?)?\s*\|", rubric, flags=re.M)
    bullets = re.findall(r"^\s*[-*]\s+\*\*(\d+)\s*(?:points?)?:?\*\*", rubric, flags=re.M)  # - **3:** ...
    return [int(m) for m in rows + bullets]


def _criterion_maxima(rubric: str) -> list[int]:
    """For a criterion table (| Criterion | 2 points | 1 point | 0 points |), each table's top column."""
    return [int(m) for m in re.findall(r"^\|\s*Criterion\s*\|\s*(\d+) points?\s*\|", rubric, flags=re.M)]


@pytest.mark.parametrize("ps, meta, text", list(written_cells()))
def test_rubric_has_levels_that_add_up_to_the_cells_points(ps, meta, text):
    head, sep, solution = text.partition("### BEGIN SOLUTION")
    assert sep, "a hand-marked cell needs a model answer between BEGIN and END SOLUTION"
    m = re.search(r"\*Rubric \((\d+) points?[,)]", head)
    assert m, "no '*Rubric (N points)' heading"
    points = int(m.group(1))
    assert points == meta["points"], f"the rubric says {points} points, the cell is worth {meta['points']}"
    rubric = head[m.start() :]
    crit = _criterion_maxima(rubric)
    if crit:
        rows = re.findall(r"^\|(?!\s*Criterion|---)\s*([^|]+?)\s*\|", rubric, flags=re.M)
        per_table = [
            len(t.strip().splitlines()) - 2 for t in re.split(r"\n\s*\n", rubric) if "| Criterion" in t
        ]
        assert sum(c * n for c, n in zip(crit, per_table, strict=True)) == points, (crit, per_table, rows)
    else:
        levels = _levels(rubric)
        assert sorted(levels, reverse=True) == list(range(points, -1, -1)), (
            f"levels {levels}: describe every level from {points} down to 0"
        )
    assert "exemplar" in solution.split("### END SOLUTION")[0].lower(), (
        "the model answer is not marked as an exemplar"
    )
