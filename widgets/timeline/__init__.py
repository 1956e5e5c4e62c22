"""The timeline explorer: the course's events 1963–2021 by track, actor, era and search.

* :mod:`course.timeline` -- the logic (filtering, search, lanes, story
  order, aligned offsets, eras, the text description); pandas and numpy only.
* :mod:`widgets.timeline.figure` -- the plotly figure and its in-place updates.
* :mod:`widgets.timeline.view` -- :class:`TimelineExplorer`, the ipywidgets view.

``TimelineExplorer`` is imported lazily, so ``import course.timeline``
does not load ipywidgets or plotly.

>>> from widgets.timeline import TimelineExplorer
>>> explorer = TimelineExplorer(start=1969, end=1979, era="detente")   # doctest: +SKIP
>>> print(explorer.describe())                                          # doctest: +SKIP
"""

from importlib import import_module

__all__ = ["TimelineExplorer"]


def __getattr__(name):
    if name == "TimelineExplorer":
        return import_module("widgets.timeline.view").TimelineExplorer
    raise AttributeError(f"module 'widgets.timeline' has no attribute {name!r}")
