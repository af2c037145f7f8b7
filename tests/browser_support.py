"""Helpers for the real-browser tests: a private JupyterLab server and a headless Chromium.

Everything here is bounded in time and cleans up after itself: the server runs in its own
process group with its own settings, workspaces, runtime and config folders (nothing is written
to the virtual environment or the home folder), and stopping it also ends its kernels.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

#: Chromium flags that work headless as root in a container, with no traffic off the machine.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
]

#: JupyterLab settings for a quiet test run: no news toast, no update check, no network.
SETTINGS_OVERRIDES = {
    "@jupyterlab/apputils-extension:notification": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _descendants(root: int) -> list[tuple[int, str]]:
    """(pid, start time) of every process below ``root``, read from /proc (Linux only)."""
    children: dict[int, list[int]] = {}
    started: dict[int, str] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8", errors="replace") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))  # fields[1] is the parent pid
        started[int(entry)] = fields[19]  # start time, to tell a reused pid from ours
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append((child, started[child]))
            todo.append(child)
    return found


def _kill_if_same(pid: int, started: str) -> None:
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as stat:
            if stat.read().rsplit(")", 1)[1].split()[19] != started:
                return
        os.kill(pid, signal.SIGKILL)
    except (OSError, IndexError):
        pass


class JupyterLabServer:
    """``jupyter lab`` on 127.0.0.1 with a random token, serving ``root`` (a folder of notebooks)."""

    def __init__(self, root: Path, home: Path, python: str = sys.executable,
                 start_timeout: float = 120.0) -> None:
        self.root = Path(root)
        self.home = Path(home)
        self.python = python
        self.start_timeout = start_timeout
        self.port = free_port()
        self.token = secrets.token_hex(24)
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = self.home / "jupyterlab.log"
        self.process: subprocess.Popen | None = None

    # -- environment --
    def _environment(self) -> dict[str, str]:
        settings = self.home / "app-settings"
        settings.mkdir(parents=True, exist_ok=True)
        (settings / "overrides.json").write_text(json.dumps(SETTINGS_OVERRIDES, indent=1))
        folders = {name: self.home / name for name in
                   ("user-settings", "workspaces", "runtime", "config", "data", "ipython")}
        for folder in folders.values():
            folder.mkdir(parents=True, exist_ok=True)
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("JUPYTER", "JPY_"))}
        env.update({
            "JUPYTERLAB_SETTINGS_DIR": str(folders["user-settings"]),
            "JUPYTERLAB_WORKSPACES_DIR": str(folders["workspaces"]),
            "JUPYTER_RUNTIME_DIR": str(folders["runtime"]),
            "JUPYTER_CONFIG_DIR": str(folders["config"]),
            "JUPYTER_DATA_DIR": str(folders["data"]),
            "IPYTHONDIR": str(folders["ipython"]),
            "PYTHONIOENCODING": "utf-8",
        })
        return env

    def command(self) -> list[str]:
        return [
            self.python, "-m", "jupyter", "lab", "--no-browser",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root}",
            "--ServerApp.allow_root=True", "--LabApp.news_url=None",
            f"--LabApp.app_settings_dir={self.home / 'app-settings'}",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.expose_app_in_browser=True",  # window.jupyterapp: read execution counts
        ]

    # -- life cycle --
    def start(self) -> "JupyterLabServer":
        env = self._environment()
        log = open(self.log_path, "wb")  # noqa: SIM115 - closed by Popen's owner below
        try:
            self.process = subprocess.Popen(self.command(), cwd=self.root, env=env, stdout=log,
                                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                            start_new_session=True)
        finally:
            log.close()
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with {self.process.returncode}:\n{self.log()}")
            try:
                with urllib.request.urlopen(self.url("/api/status"), timeout=5) as response:
                    if response.status == 200:
                        return self
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"jupyter lab did not answer within {self.start_timeout:.0f} s:\n{self.log()}")

    def url(self, path: str, **query: str) -> str:
        """A URL on the server with the token; ``reset=""`` becomes a bare ``reset``."""
        parts = [key if value == "" else f"{key}={value}" for key, value in query.items()]
        parts.append(f"token={self.token}")
        return f"{self.base}{path}{'&' if '?' in path else '?'}{'&'.join(parts)}"

    def api(self, method: str, path: str, timeout: float = 30.0):
        """One REST call to the server with the token; the decoded JSON answer, or None."""
        request = urllib.request.Request(f"{self.base}{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"},
                                         data=b"" if method == "POST" else None)
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> None:
        """End every session and kernel (a closed browser tab leaves its kernel running)."""
        try:
            for session in self.api("GET", "/api/sessions") or []:
                self.api("DELETE", f"/api/sessions/{session['id']}")
            for kernel in self.api("GET", "/api/kernels") or []:
                self.api("DELETE", f"/api/kernels/{kernel['id']}")
        except (urllib.error.URLError, OSError, ValueError):
            pass

    def log(self, tail: int = 6000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-tail:]
        except OSError:
            return ""

    def stop(self) -> None:
        """Shut down the kernels and the server; kill whatever is left, whatever happens."""
        process = self.process
        if process is None:
            return
        below = _descendants(process.pid)
        if process.poll() is None:
            try:
                self.api("POST", "/api/shutdown", timeout=10)
            except (urllib.error.URLError, OSError, ValueError):
                pass
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
        for sig in (signal.SIGTERM, signal.SIGKILL):
            if process.poll() is not None:
                break
            try:
                os.killpg(process.pid, sig)
            except OSError:
                pass
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
        for pid, started in below:  # kernels run in sessions of their own
            _kill_if_same(pid, started)
        self.process = None

    def __enter__(self) -> "JupyterLabServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def copy_notebooks(source: Path, target: Path) -> list[Path]:
    target.mkdir(parents=True, exist_ok=True)
    copied = []
    for path in sorted(source.glob("*.ipynb")):
        shutil.copy2(path, target / path.name)
        copied.append(target / path.name)
    return copied


def scratch_notebook(cells: list[str]) -> dict:
    """A minimal nbformat 4 notebook with these code cells and no outputs."""
    return {
        "cells": [{"cell_type": "code", "execution_count": None, "id": f"cell-{index}",
                   "metadata": {}, "outputs": [], "source": source}
                  for index, source in enumerate(cells)],
        "metadata": {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                                    "name": "python3"},
                     "language_info": {"name": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
