"""The grading kernel's whole environment: nothing of the grader's leaks in."""

from __future__ import annotations

import sys
from pathlib import Path

from .readable import datasets_path


def kernel_environment(workdir: Path, mode: str, output_limit: int = 1 << 20) -> dict[str, str]:
    """The kernel's whole environment: nothing of the grader's leaks in."""
    venv_bin = str(Path(sys.executable).parent)
    env = {
        "PATH": f"{venv_bin}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(workdir),
        "TMPDIR": "/tmp" if mode == "namespaces" else str(workdir / "tmp"),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PYTHONNOUSERSITE": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        "IPYTHONDIR": str(workdir / ".ipython"),
        "JUPYTER_CONFIG_DIR": str(workdir / ".jupyter"),
        "JUPYTER_DATA_DIR": str(workdir / ".jupyter-data"),
        "JUPYTER_RUNTIME_DIR": str(workdir / ".jupyter-runtime"),
        "MPLCONFIGDIR": str(workdir / ".matplotlib"),
        "MPLBACKEND": "Agg",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "NUMEXPR_NUM_THREADS": "1",
        # keep the address space (what the memory limit counts) close to what is really used
        "MALLOC_ARENA_MAX": "2",
        "ARROW_DEFAULT_MEMORY_POOL": "system",
        "NBGRADER_EXECUTION": "autograde",
        "COURSE_GRADING_OUTPUT_LIMIT": str(output_limit),
    }
    data = datasets_path()
    if data:
        env["COURSE_DATASETS"] = data
    return env
