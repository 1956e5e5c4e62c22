"""`python -m course.data`: arguments parsed by argparse."""

from __future__ import annotations

import subprocess
import sys

import pytest

from course import data


def test_quiet_prints_only_the_summary(capsys):
    assert data.main(["--quiet"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and out[0].endswith("datasets valid")


def test_bad_arguments_exit_2_with_usage(capsys):
    with pytest.raises(SystemExit) as exc:
        data.main(["one", "two"])
    assert exc.value.code == 2
    assert "usage: python -m course.data" in capsys.readouterr().err


def test_missing_folder_is_an_error_not_a_traceback(tmp_path, capsys):
    assert data.main([str(tmp_path)]) == 1
    assert "no datapackage.json here" in capsys.readouterr().err


def test_runs_as_a_module():
    out = subprocess.run(
        [sys.executable, "-m", "course.data", "--help"], capture_output=True, text=True, check=True
    )
    assert "DATASETS_DIR" in out.stdout and "--quiet" in out.stdout
