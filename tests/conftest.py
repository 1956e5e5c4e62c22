"""Shared pytest configuration."""

# Notebooks under tests/ are fixtures (e.g. grading submissions), not lessons:
# nbmake must not execute them.
collect_ignore_glob = ["*.ipynb", "**/*.ipynb"]
