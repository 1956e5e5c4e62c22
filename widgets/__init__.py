"""Interactive views for the course: the timeline explorer and the trust lab.

The data and simulation logic lives in pure, seeded functions
(:mod:`widgets.timeline`, :mod:`widgets.trust`) with no ipywidgets inside;
the widget classes are thin views over them. The classes are imported
lazily, so ``import widgets.trust`` stays free of ipywidgets and plotly.
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
