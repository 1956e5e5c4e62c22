"""Named scenarios for the trust lab.

Each preset is a STYLISED SCENARIO chosen to make one situation from the
course easy to explore. The numbers are illustrative, not estimates: they are
not measured from, fitted to, or claimed to describe any historical episode.
"""

from __future__ import annotations

PRESETS = {
    "reliable partner": {
        "doc": "Stylised scenario: a partner who returns what it receives, with a little "
        "miscommunication (2% of stakes lost). Small steps climb steadily; a "
        "comprehensive deal pays at once.",
        "strategy_a": "grit",
        "strategy_b": "reciprocator",
        "noise": 0.02,
        "provocation": 0.0,
        "renege": 0.0,
    },
    "partner who reneges after gains": {
        "doc": "Stylised scenario of the 'Leap Day' pattern (an agreement followed within weeks "
        "by a breach once benefits were in hand): the partner reciprocates until its "
        "gains pass a threshold, then reneges in any round with probability r. Not a "
        "measurement of the 2012 episode.",
        "strategy_a": "grit",
        "strategy_b": "unreliable",
        "noise": 0.02,
        "provocation": 0.0,
        "renege": 0.3,
    },
    "frequent provocations": {
        "doc": "Stylised scenario: a partner who otherwise reciprocates but gives nothing in "
        "15% of rounds, whatever happens (tests, incidents). Compare how much each "
        "approach loses to one provocation.",
        "strategy_a": "grit",
        "strategy_b": "provocateur",
        "noise": 0.02,
        "provocation": 0.15,
        "renege": 0.0,
    },
    "humanitarian steps only": {
        "doc": "Stylised scenario: side A makes only small unconditional humanitarian gestures, "
        "never raised and never withdrawn, towards a partner who mostly reciprocates but "
        "sometimes provokes. Safe, but little goodwill accumulates.",
        "strategy_a": "humanitarian",
        "strategy_b": "provocateur",
        "noise": 0.02,
        "provocation": 0.1,
        "renege": 0.0,
    },
}
