"""``python -m course.data [DATASETS_DIR]``: validate every dataset and print a summary."""

from __future__ import annotations

import argparse
import sys

from .errors import DatasetError
from .loading import load, validate_all
from .location import datasets_dir

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m course.data",
        description="Validate every table of the course's data package and print a summary "
        "(exit status 1 if any table is broken).",
    )
    p.add_argument(
        "datasets",
        nargs="?",
        default=None,
        metavar="DATASETS_DIR",
        help="folder holding datapackage.json (default: COURSE_DATASETS, then the repository's datasets/)",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="print only broken tables and the summary line")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        folder = datasets_dir(args.datasets)
        results = validate_all(folder)
    except DatasetError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    bad = 0
    for name, problems in results.items():
        if problems:
            bad += 1
            print(f"FAIL {name}: {len(problems)} problem(s)")
            for p in problems:
                print(f"  - {p}")
        elif not args.quiet:
            print(f"ok   {name}: {len(load(name, folder))} rows")
    print(f"{len(results) - bad} of {len(results)} datasets valid")
    return 1 if bad else 0
