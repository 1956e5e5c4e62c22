"""The ways this machine can build a grading jail, for tests that must hold under each."""

from __future__ import annotations

import pytest

from course.grading.isolation import Isolation, bwrap_path, detect_isolation, probe


def jail_params() -> list:
    """pytest params: bubblewrap's jail and the course's own launcher (the fallback), each where it works;
    without namespaces, the one isolation there is."""
    found = detect_isolation()
    if found.mode != "namespaces":
        return [pytest.param(found, id=found.mode)]
    out = []
    for jail in ("bubblewrap", "builtin"):
        problem = "bubblewrap is not installed" if jail == "bubblewrap" and not bwrap_path() else None
        problem = problem or probe("namespaces", 61000, jail)
        if problem:
            out.append(pytest.param(None, id=jail, marks=pytest.mark.skip(reason=f"{jail}: {problem}")))
        else:
            out.append(pytest.param(Isolation("namespaces", f"namespaces built by {jail}", jail), id=jail))
    return out
