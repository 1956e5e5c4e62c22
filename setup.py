"""Packaging that pyproject.toml cannot say: which packages the wheel holds,
and two repository folders mapped into the ``course`` package, so that a
wheel carries the datasets and the lessons while git keeps one copy of each
(``datasets/`` and ``lessons/`` at the top level). Everything else is in
pyproject.toml; ``course.resources`` finds the files in either layout.
"""

from setuptools import find_packages, setup

# package in the wheel -> folder in the repository
MAPPED = {"course._datasets": "datasets", "course._lessons": "lessons"}

setup(
    packages=find_packages(include=["course", "course.*", "widgets", "widgets.*"])
    + ["widgets.examples", *MAPPED],
    package_dir=MAPPED,
)
