"""Interactive views for the course: thin ipywidgets/plotly classes over the models in :mod:`course`.

* :class:`TimelineExplorer` (:mod:`widgets.timeline`) over :mod:`course.timeline`;
* :class:`TrustLab` (:mod:`widgets.trust`) over :mod:`course.trust`;
* :class:`~widgets.scorecard.Scorecard` over :mod:`course.scorecard`;
* :class:`~widgets.humanitarian.HumanitarianClock` over :mod:`course.humanitarian`;
* :func:`~widgets.selfcheck.form`, the self-check forms over :mod:`course.selfcheck`.

The two explorers are imported lazily, so ``import widgets`` alone loads
neither ipywidgets nor plotly.
"""

from importlib import import_module

_LAZY = {
    "TimelineExplorer": "widgets.timeline",
    "TrustLab": "widgets.trust",
}

__all__ = sorted(_LAZY)


def __getattr__(name):
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'widgets' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_LAZY))
