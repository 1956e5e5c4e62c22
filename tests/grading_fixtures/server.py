"""A ``jupyter server`` with nbgrader's Formgrader, started in a course folder, for the tests that
send what Formgrader's buttons send or open the pages it serves."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``jupyter server`` started in the course folder (so Formgrader finds nbgrader_config.py there)."""

    def __init__(self, course_dir: Path, log: Path):
        self.token = secrets.token_hex(16)
        self.port = _free_port()
        env = {k: v for k, v in os.environ.items() if k != "COURSE_ALLOW_PLAIN_NBGRADER"}
        env["PATH"] = f"{Path(sys.executable).parent}:{env.get('PATH', '')}"
        env["JUPYTER_CONFIG_DIR"] = str(log.parent / "jupyter-config")
        self.log = open(log, "w")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jupyter_server",
                "--ip=127.0.0.1",
                f"--port={self.port}",
                f"--IdentityProvider.token={self.token}",
                f"--ServerApp.root_dir={course_dir}",
                "--no-browser",
                "--allow-root",
            ],
            cwd=course_dir,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                self.request("GET", "/api/status")
                break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    self.stop()
                    raise RuntimeError(f"jupyter server did not start: {log.read_text()[-2000:]}") from None
                time.sleep(0.5)

    def request(self, method: str, path: str) -> tuple[int, str]:
        req = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}",
            method=method,
            headers={"Authorization": f"token {self.token}"},
            data=b"" if method == "POST" else None,
        )
        try:
            with urllib.request.urlopen(req, timeout=120) as resp:
                return resp.status, resp.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()
