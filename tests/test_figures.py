"""The FigureWidget pool (widgets.figures): a re-run of a notebook cell reuses the
FigureWidget that cell made before, so plotly's 5 MB bundle is not sent again.

JupyterLab's execute_request carries the cell's id in its metadata; here the
kernel's parent header is simulated."""

from __future__ import annotations

import itertools

import numpy as np
import plotly.graph_objects as go
import pytest

from widgets import figures as F

_ids = itertools.count()


class FakeShell:
    def __init__(self):
        self.parent_header: dict = {}

    def execute(self, cell: str | None, deleted=(), msg_type="execute_request"):
        """Start a new execution of ``cell`` (None: a request without a cell id, as nbclient sends)."""
        meta = {} if cell is None else {"cellId": cell, "deletedCells": list(deleted)}
        self.parent_header = {
            "header": {"msg_id": f"m{next(_ids)}", "msg_type": msg_type},
            "msg_id": f"m{next(_ids)}",
            "msg_type": msg_type,
            "metadata": meta,
            "content": {},
        }


@pytest.fixture
def shell(monkeypatch):
    sh = FakeShell()
    monkeypatch.setattr(F, "_shell", lambda: sh)
    F.clear_pool()
    yield sh
    F.clear_pool()


def spec(title="one", n=3, shapes=False):
    layout = dict(title=dict(text=title))
    if shapes:
        layout["shapes"] = [dict(type="line", x0=0, x1=1, y0=0, y1=1)]
    return go.Figure([go.Scatter(y=list(range(n)), name=f"t{i}") for i in range(2)], layout=layout)


def test_without_a_cell_id_every_call_makes_a_new_widget(monkeypatch):
    monkeypatch.setattr(F, "_shell", lambda: None)
    a, b = F.figure_widget(spec()), F.figure_widget(spec())
    assert a is not b and a.model_id != b.model_id
    assert F.pool_size() == 0


def test_nbclient_requests_and_callbacks_are_not_pooled(shell):
    shell.execute(None)
    assert F.figure_widget() is not F.figure_widget()
    shell.execute("cell-a", msg_type="comm_msg")  # a slider callback: no cell of its own
    assert F.figure_widget() is not F.figure_widget()
    assert F.pool_size() == 0


def test_a_rerun_of_the_same_cell_reuses_the_widget_reset_in_place(shell):
    shell.execute("cell-a")
    first = F.figure_widget(spec("first", n=3, shapes=True))
    clicks = []
    first.data[0].on_click(lambda *a: clicks.append(a))
    shell.execute("cell-a")
    again = F.figure_widget(spec("second", n=5))
    assert again is first  # the same model: no new comm_open, no second bundle
    assert again.layout.title.text == "second"
    assert [list(t.y) for t in again.data] == [list(range(5))] * 2
    assert not again.layout.shapes  # nothing of the old layout survives ...
    assert "shapes" not in again._widget_layout  # ... in the state a new view renders from
    assert [list(t["y"]) for t in again._widget_data] == [list(range(5))] * 2
    assert again.data[0]._click_callbacks == []  # the old view's callbacks went with its traces


def test_two_figures_in_one_cell_are_distinct_and_keep_their_order(shell):
    shell.execute("cell-a")
    a0, a1 = F.figure_widget(spec("a0")), F.figure_widget(spec("a1"))
    assert a0 is not a1
    shell.execute("cell-a")
    b0, b1 = F.figure_widget(spec("b0")), F.figure_widget(spec("b1"))
    assert (b0, b1) == (a0, a1) and b0 is a0 and b1 is a1
    shell.execute("cell-a")  # this time the cell makes three
    c = [F.figure_widget(spec(f"c{i}")) for i in range(3)]
    assert c[0] is a0 and c[1] is a1 and c[2] not in (a0, a1)
    assert F.pool_size() == 3


def test_two_cells_never_share_a_figure(shell):
    shell.execute("cell-a")
    a = F.figure_widget(spec("a"))
    shell.execute("cell-b")
    b = F.figure_widget(spec("b"))
    assert a is not b
    shell.execute("cell-a")
    assert F.figure_widget(spec("a again")) is a
    assert b.layout.title.text == "b"  # untouched by cell a's re-run


def test_a_closed_widget_is_replaced_and_deleted_cells_release_theirs(shell):
    shell.execute("cell-a")
    a = F.figure_widget(spec())
    a.close()
    shell.execute("cell-a")
    a2 = F.figure_widget(spec())
    assert a2 is not a and a2.comm is not None
    shell.execute("cell-b", deleted=["cell-a"])  # read at the next request for a figure
    F.figure_widget(spec())
    assert a2.comm is None  # closed: its model leaves the browser
    shell.execute("cell-a")
    assert F.figure_widget(spec()) is not a2


def test_trust_lab_rerun_reuses_its_figure_and_still_draws_correctly(shell):
    from course.trust import simulate
    from widgets import TrustLab
    from widgets.trust import _idx

    small = dict(rounds=12, runs=20, generations=4)
    shell.execute("lab-cell")
    lab1 = TrustLab(**small)
    traces = len(lab1.fig.data)
    shell.execute("lab-cell")
    lab2 = TrustLab(noise=0.1, **small)
    assert lab2.fig is lab1.fig and len(lab2.fig.data) == traces
    lab2.noise.value = 0.3
    want = simulate(
        lab2.strategy_a.value, lab2.strategy_b.value, rounds=12, runs=20, seed=0, params=lab2.params()
    )
    assert np.allclose(lab2.fig.data[_idx(0, "a", "mean")].y, want.stake_a.mean(axis=0))
    # the state a new view renders from matches a TrustLab built without the pool
    shell.execute(None)
    fresh = TrustLab(noise=0.1, **small)
    fresh.noise.value = 0.3
    strip = lambda d: [{k: v for k, v in t.items() if k != "uid"} for t in d]  # noqa: E731
    assert str(strip(lab2.fig.to_dict()["data"])) == str(strip(fresh.fig.to_dict()["data"]))
    assert lab2.fig.to_dict()["layout"] == fresh.fig.to_dict()["layout"]


def test_two_trust_labs_in_one_cell_get_two_figures(shell):
    from widgets import TrustLab

    shell.execute("lab-cell")
    one, two = TrustLab(rounds=5, runs=5, generations=2), TrustLab(rounds=5, runs=5, generations=2)
    assert one.fig is not two.fig


def test_timeline_explorer_rerun_reuses_its_figure_and_clicks_still_work(shell):
    from widgets import TimelineExplorer
    from widgets.timeline.figure import EVENTS

    shell.execute("tl-cell")
    ex1 = TimelineExplorer()
    shell.execute("tl-cell")
    ex2 = TimelineExplorer(start=1970, end=1990)
    assert ex2.fig is ex1.fig
    assert list(ex2.fig.layout.xaxis.range)[0].startswith("1969")
    assert len(ex2.fig.data[EVENTS]._click_callbacks) == 1  # the new explorer's, only
    shell.execute(None)
    fresh = TimelineExplorer(start=1970, end=1990)
    assert ex2.fig.to_dict()["layout"] == fresh.fig.to_dict()["layout"]


def test_pooled_figures_use_plotlys_bundle_with_removed_views_made_inert():
    """plotly's view keeps listening to its model after removal and then throws on every update,
    which stops the views shown after it from updating. The pooled class patches exactly that."""
    assert F.reusable(), "this plotly's widget bundle changed: update widgets/figures.py _VIEW_REMOVE"
    cls = F._reusable_class()
    original = str(go.FigureWidget._esm)
    assert issubclass(cls, go.FigureWidget)
    assert cls._esm.count("remove(){this.model=" + F._INERT_MODEL + ",") == 1
    assert cls._esm.replace("this.model=" + F._INERT_MODEL + ",", "", 1) == original


def test_without_the_patch_nothing_is_pooled(shell, monkeypatch):
    monkeypatch.setattr(F, "_reusable_class", lambda: None)
    shell.execute("cell-a")
    a = F.figure_widget(spec())
    shell.execute("cell-a")
    assert F.figure_widget(spec()) is not a and F.pool_size() == 0


def test_a_reset_sends_the_whole_new_state_once_and_no_edit_messages(shell):
    """The browser's copy of the old figure took edits the kernel's traits never saw, so the reset
    sends _widget_data and _widget_layout whole, even when the kernel thinks them unchanged."""
    shell.execute("cell-a")
    w = F.figure_widget(spec("same"))
    w.layout.title.text = "edited after display"  # a relayout the browser applied to its copy
    sent = []
    real = w._send
    w._send = lambda msg, buffers=None: (sent.append(msg), real(msg, buffers))[1]
    shell.execute("cell-a")
    assert F.figure_widget(spec("same")) is w
    states = [m["state"] for m in sent if m.get("method") == "update"]
    keys = [k for st in states for k in st]
    assert keys.count("_widget_layout") == 1 and keys.count("_widget_data") == 1, keys
    assert not [k for k in keys if k.startswith("_py2js_")], keys  # no per-edit messages
    layout = next(st["_widget_layout"] for st in states if "_widget_layout" in st)
    assert layout["title"]["text"] == "same"
