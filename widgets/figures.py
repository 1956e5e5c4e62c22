"""Figures that are light on the wire.

Every ``go.FigureWidget`` opens with a message that carries plotly's whole
JavaScript bundle (anywidget's ``_esm``, about 5 MB). Two tools keep that off
the wire:

* :func:`figure_widget` -- for explorers that redraw often (TimelineExplorer,
  TrustLab). It reuses the FigureWidget that the same notebook cell created
  the last time it ran: JupyterLab puts the cell's id in every
  ``execute_request`` (``metadata.cellId``), so a re-run of the cell resets
  that widget's traces and layout in place instead of opening a new one, and
  the bundle is not sent again. Widgets are keyed by the cell id *and* their
  order within that execution, so two explorers in one cell, or in two cells,
  never share a figure. Without a cell id (plain Python, tests, a console,
  a callback, nbclient) every call makes a new FigureWidget.

  Pooled widgets are a ``go.FigureWidget`` subclass whose bundle differs from
  plotly's by one statement: a view that was removed (its output cleared)
  stops listening to its model. Unpatched, such a view throws on the next
  update and the view shown after it never redraws. If a future plotly's
  bundle lacks the code this patches, nothing is pooled (see
  :func:`reusable`; tests/test_figures.py fails loudly).

  One limit: the view object a cell made before its re-run keeps a reference
  to the figure. If a learner displayed that old object again in another cell,
  it now draws into the figure of the new one.
* :class:`StaticFigure` -- for views that redraw rarely (the scorecard, the
  humanitarian clock). A plain ``go.Figure`` shown inside an ``ipw.Output``
  through plotly's JupyterLab renderer (``application/vnd.plotly.v1+json``,
  the ``jupyterlab-plotly`` extension that the plotly wheel installs, whose
  JavaScript the browser loads once over HTTP and caches). A redraw sends the
  figure's JSON, a few kB, never the bundle.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from typing import Any

import ipywidgets as ipw
import plotly.graph_objects as go
import plotly.io as pio

__all__ = [
    "figure_widget",
    "reusable",
    "cell_key",
    "pool_size",
    "clear_pool",
    "plotly_bundle",
    "StaticFigure",
]

MIME = "application/vnd.plotly.v1+json"

# plotly's widget view never stops listening to its model when it is removed (its output cleared):
# the next state change makes the purged view throw ("Error setting state: gd.data must be an array")
# and the views displayed after it never hear of the change. A pooled figure is displayed again
# after each re-run, so its view, once removed, is pointed at an inert model instead.
_VIEW_REMOVE = re.compile(
    r"remove\(\)\{(\w+)\.default\.purge\(this\.el\),"
    r'window\.removeEventListener\("resize",this\.resizeEventListener\)\}'
)
_INERT_MODEL = "{get:()=>null,set(){},on(){},touch(){},save_changes(){},_normalize_trace_indexes:()=>[]}"


@functools.cache
def _reusable_class():
    """A FigureWidget whose removed views go quiet, or None if this plotly's bundle cannot be patched."""
    source = str(go.FigureWidget._esm)  # anywidget's file contents: the text it sends as the _esm trait
    found = _VIEW_REMOVE.findall(source)
    if len(found) != 1:
        return None
    patched = _VIEW_REMOVE.sub(
        lambda m: "remove(){this.model=" + _INERT_MODEL + "," + m.group(0)[len("remove(){") :], source
    )
    return type(
        "ReusableFigureWidget",
        (go.FigureWidget,),
        {
            "_esm": patched,
            "__module__": __name__,
            "__doc__": "A go.FigureWidget that can be shown again after its output was cleared.",
        },
    )


def reusable() -> bool:
    """Whether figures can be pooled with this plotly (its widget bundle has the expected view code)."""
    return _reusable_class() is not None


# cell id -> {"msg_id": id of the execute_request that last used it, "next": ordinal, "widgets": [...]}
_POOL: dict[str, dict] = {}


def _shell():
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipywidgets
        return None
    return get_ipython()


def _parent_header() -> dict:
    shell = _shell()
    header = getattr(shell, "parent_header", None) if shell is not None else None
    return header if isinstance(header, dict) else {}


def cell_key() -> tuple[str, str] | None:
    """``(cell id, execute_request msg_id)`` of the running notebook cell, or None outside one."""
    parent = _parent_header()
    if parent.get("msg_type", parent.get("header", {}).get("msg_type")) not in (None, "execute_request"):
        return None
    meta = parent.get("metadata") or {}
    cell = meta.get("cellId") if isinstance(meta, dict) else None
    msg_id = (parent.get("header") or {}).get("msg_id") or parent.get("msg_id")
    if not isinstance(cell, str) or not cell or not msg_id:
        return None
    _forget_deleted(meta.get("deletedCells"))
    return cell, str(msg_id)


def _forget_deleted(cells: Any) -> None:
    """JupyterLab lists the ids of cells deleted since the last execution: close their figures."""
    if not isinstance(cells, (list, tuple)):
        return
    for cell in cells:
        entry = _POOL.pop(cell, None) if isinstance(cell, str) else None
        for w in (entry or {}).get("widgets", ()):
            w.close()


def _alive(w: go.FigureWidget) -> bool:
    return getattr(w, "comm", None) is not None


_EDIT_MESSAGES = (
    "_send_addTraces_msg",
    "_send_deleteTraces_msg",
    "_send_moveTraces_msg",
    "_send_restyle_msg",
    "_send_relayout_msg",
    "_send_update_msg",
    "_send_animate_msg",
)


def _reset(w: go.FigureWidget, fig: go.Figure) -> go.FigureWidget:
    """Give ``w`` the traces and layout of ``fig``, dropping all it had (and the callbacks on them).

    The edits are made in Python with plotly's edit messages silenced; the browser then gets the
    new state in one piece: a view renders from ``_widget_data`` and ``_widget_layout``, and
    replacing them whole leaves nothing of the old figure (a layout key the new one lacks) behind.
    """
    for name in _EDIT_MESSAGES:
        setattr(w, name, _silent)
    try:
        w.data = []
        w.layout = fig.layout
        w.add_traces(list(fig.data))
    finally:
        for name in _EDIT_MESSAGES:
            w.__dict__.pop(name, None)
    # Always send both: the browser's copies have taken every edit since the figure opened, while
    # the kernel's traits kept their first value, so "unchanged" here does not mean the same there.
    with w.hold_sync():
        w._widget_layout, w._widget_data = {}, []
        w._widget_layout = copy.deepcopy(w._layout_obj._props)
        w._widget_data = copy.deepcopy(w._data)
    return w


def _silent(*args, **kwargs) -> None:
    return None


def figure_widget(fig: go.Figure | None = None) -> go.FigureWidget:
    """A ``go.FigureWidget`` showing ``fig``: the one this cell made when it last ran, reset, if any.

    The n-th call during one execution of a cell gets the n-th widget that
    cell made before; a widget that was closed is replaced by a new one.
    """
    fig = go.Figure() if fig is None else fig
    key = cell_key()
    cls = _reusable_class()
    if key is None or cls is None:
        return go.FigureWidget(fig)
    cell, msg_id = key
    entry = _POOL.setdefault(cell, {"msg_id": None, "next": 0, "widgets": []})
    if entry["msg_id"] != msg_id:  # a new execution of this cell: start again from its first figure
        entry["msg_id"], entry["next"] = msg_id, 0
    n = entry["next"]
    entry["next"] += 1
    widgets = entry["widgets"]
    if n < len(widgets) and _alive(widgets[n]):
        return _reset(widgets[n], fig)
    w = cls(fig)
    if n < len(widgets):
        widgets[n] = w
    else:
        widgets.append(w)
    return w


def pool_size() -> int:
    """How many FigureWidgets the pool keeps (for tests and diagnostics)."""
    return sum(len(e["widgets"]) for e in _POOL.values())


def clear_pool(close: bool = True) -> None:
    """Forget every pooled figure (and close them, unless ``close`` is false)."""
    for entry in _POOL.values():
        for w in entry["widgets"]:
            if close:
                w.close()
    _POOL.clear()


# ------------------------------------------------------------ static figures
def plotly_bundle(fig: go.Figure) -> dict:
    """The display bundle of ``fig`` for plotly's JupyterLab renderer (no JavaScript in it)."""
    spec = json.loads(pio.to_json(fig, validate=False))
    spec.setdefault("config", {})
    title = fig.layout.title.text or "plotly figure"
    return {MIME: spec, "text/plain": f"<Figure: {title}>"}


class StaticFigure:
    """A ``go.Figure`` shown in an ``ipw.Output``; :meth:`redraw` shows its current state.

    ``fig`` is an ordinary ``go.Figure``: change it in place, then call
    ``redraw()``. The output widget's ``outputs`` hold the figure's JSON, so
    what the browser shows can be read in Python too.
    """

    def __init__(self, fig: go.Figure, *, css_class: str | None = None):
        self.fig = fig
        self.output = ipw.Output()
        if css_class:
            self.output.add_class(css_class)
        self.redraw()

    def redraw(self) -> None:
        self.output.outputs = (
            {"output_type": "display_data", "data": plotly_bundle(self.fig), "metadata": {}},
        )

    @property
    def shown(self) -> dict:
        """The plotly JSON currently in the output (``{"data": [...], "layout": {...}}``)."""
        return self.output.outputs[0]["data"][MIME] if self.output.outputs else {}
