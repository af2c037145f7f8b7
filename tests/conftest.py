"""Shared test helpers."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

def ci_is_on(value: str) -> bool:
    """Whether a value of the CI variable means "in CI": 1, true, yes or on, in any case."""
    return value.strip().lower() in {"1", "true", "yes", "on"}


#: Whether the tests run in CI (tests that need a real tool fail there instead of skipping).
IN_CI = ci_is_on(os.environ.get("CI", ""))


def require_tool(name: str, why: str) -> str:
    """The path of a real external tool: skip outside CI when it is missing, fail in CI."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed ({why}); .ci/run installs it"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return path


def jupyter_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment for a JupyterLab of a test's own: every Jupyter folder under ``home``."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("JUPYTER", "JPY_"))}
    folders = {"JUPYTER_CONFIG_DIR": "config", "JUPYTER_DATA_DIR": "data",
               "JUPYTER_RUNTIME_DIR": "runtime", "JUPYTERLAB_SETTINGS_DIR": "user-settings",
               "JUPYTERLAB_WORKSPACES_DIR": "workspaces", "IPYTHONDIR": "ipython"}
    for variable, name in folders.items():
        (home / name).mkdir(parents=True, exist_ok=True)
        env[variable] = str(home / name)
    env.update(HOME=str(home), PYTHONIOENCODING="utf-8", **extra)
    return env


@dataclass
class StartedLesson:
    """A running ``smtplesson start``: what it printed before JupyterLab's address, and that address."""

    process: subprocess.Popen
    lines: list[str]
    base: str
    token: str

    def get(self, path: str, timeout: float = 30) -> tuple[str, str]:
        """(final URL, body) of a GET with the token."""
        joiner = "&" if "?" in path else "?"
        with urllib.request.urlopen(f"{self.base}{path}{joiner}token={self.token}",
                                    timeout=timeout) as response:
            return response.geturl(), response.read().decode("utf-8", errors="replace")


@contextlib.contextmanager
def started_lesson(command: list[str], cwd: Path, env: dict[str, str], timeout: float = 120):
    """Run ``smtplesson start --no-browser …`` until JupyterLab answers; stop it and all below it."""
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True,
                               start_new_session=True)
    try:
        lines: list[str] = []
        found = None
        deadline = time.monotonic() + timeout
        while found is None and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line)
            found = re.search(r"(http://127\.0\.0\.1:\d+)/lab\S*\?token=(\w+)", line)
        assert found is not None, "no JupyterLab address with a token:\n" + "".join(lines)
        lesson = StartedLesson(process, lines, *found.groups())
        while time.monotonic() < deadline:  # the address is printed just before it listens
            try:
                lesson.get("/api/status", timeout=10)
                break
            except (urllib.error.URLError, OSError):
                time.sleep(0.3)
        else:
            raise AssertionError("JupyterLab never answered:\n" + "".join(lines))
        yield lesson
    finally:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            if process.poll() is not None:
                break
            with contextlib.suppress(OSError):
                os.killpg(process.pid, sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=30)
        process.stdout.close()


@pytest.fixture(autouse=True)
def _entries_built_afresh():
    """Each test builds the enhanced-code entries it looks up (the package keeps them once built),
    so a broken builder fails the tests that read its entries, not only the first test to run."""
    from smtplesson import catalogue

    catalogue._entry.cache_clear()
    yield
