"""Helsinki and Northeast Asia: détente, trust and small steps.

The pure side of the course, one subpackage or module per job:

* :mod:`course.data` -- loading and validating the datasets;
* :mod:`course.resources` -- where the installed datasets and lessons are;
* :mod:`course.timeline` -- the timeline model (filters, search, layout, description);
* :mod:`course.trust` -- the trust engine (classic and graduated-stakes games, tournaments, evolution);
* :mod:`course.humanitarian` -- the separated-family projections;
* :mod:`course.scorecard` -- the obstacle scorecard's scoring;
* :mod:`course.selfcheck` -- the lessons' self-checks;
* :mod:`course.grading` -- grading the problem sets;
* :mod:`course.cli` -- the ``course`` command line.

The views over these models (ipywidgets, plotly) are in :mod:`widgets`.
"""

__version__ = "0.1.0"

from . import startup as _startup  # noqa: E402,F401  defers the stack's start-up waste; see course/startup.py
