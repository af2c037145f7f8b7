"""The learner's workspace: start copies, reset restores with a backup, check reports."""

import datetime
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from smtplesson import SmtpLessonError
from smtplesson.workspace import copy_lesson, find_notebook, pristine_notebooks, reset_notebook

ROOT = Path(__file__).parent.parent


def test_copy_never_overwrites_an_edited_notebook(tmp_path):
    first = copy_lesson(tmp_path / "lesson")
    assert len(first.copied) == len(pristine_notebooks()) and not first.kept
    edited = tmp_path / "lesson" / "03-authentication.ipynb"
    edited.write_text("my notes")
    (tmp_path / "lesson" / "01-anatomy-of-a-reply.ipynb").unlink()
    again = copy_lesson(tmp_path / "lesson")
    assert again.copied == ("01-anatomy-of-a-reply.ipynb",)
    assert again.kept == ("03-authentication.ipynb",)
    assert edited.read_text() == "my notes"


def test_reset_keeps_the_learners_version_as_a_timestamped_backup(tmp_path):
    copy_lesson(tmp_path)
    mine = tmp_path / "03-authentication.ipynb"
    mine.write_text("broken")
    when = datetime.datetime(2026, 11, 29, 9, 30, 0)
    restored, backup = reset_notebook("03", tmp_path, now=when)
    assert restored.read_bytes() == find_notebook("03").read_bytes()
    assert backup.name == "03-authentication.backup-20261129-093000.ipynb"
    assert backup.read_text() == "broken"
    mine.write_text("broken again")
    _, second = reset_notebook("03-authentication.ipynb", tmp_path, now=when)
    assert second.name == "03-authentication.backup-20261129-093000-2.ipynb"
    assert reset_notebook("03", tmp_path) == (restored, None)  # pristine already: nothing to keep


@pytest.mark.parametrize("name", ["3", "nope", "0"])
def test_reset_names_must_match_one_notebook(name):
    with pytest.raises(SmtpLessonError, match="choose one of"):
        find_notebook(name)


def run_cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "smtplesson", *args], capture_output=True, text=True,
                          timeout=120, cwd=cwd, env={**os.environ, "PYTHONIOENCODING": "utf-8"})


def test_cli_reset_and_its_errors(tmp_path):
    assert run_cli("start", str(tmp_path), "--copy-only").returncode == 0
    (tmp_path / "02-a-whole-conversation.ipynb").write_text("{}")
    result = run_cli("reset", "02", cwd=tmp_path)
    assert result.returncode == 0 and "backup" in result.stdout
    bad = run_cli("reset", "99", cwd=tmp_path)
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
    missing = run_cli("reset", "02", "--dir", str(tmp_path / "nowhere"))
    assert missing.returncode == 2 and "not a folder" in missing.stderr


def test_cli_check_reports_one_line_per_item():
    result = run_cli("check")
    lines = result.stdout.strip().splitlines()
    assert result.returncode == 0, result.stdout
    assert all(line[0] in "✔✘⚠" for line in lines)
    assert any("lab server answers on 127.0.0.1" in line and line.startswith("✔") for line in lines)
    assert any("ipywidgets 8" in line for line in lines)


@pytest.mark.slow
def test_a_new_user_installs_the_wheel_and_starts_the_lesson(tmp_path):
    """pip install into a fresh virtual environment, then `smtplesson start --no-browser`."""
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w",
                    str(wheels), str(ROOT)], check=True, capture_output=True, timeout=300)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    pip = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
                          str(next(wheels.glob("*.whl")))], capture_output=True, text=True, timeout=900)
    assert pip.returncode == 0, pip.stderr[-2000:]
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    check = subprocess.run([str(venv / "bin" / "smtplesson"), "check"], capture_output=True,
                           text=True, timeout=120, env=env)
    assert check.returncode == 0, check.stdout + check.stderr
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([str(venv / "bin" / "smtplesson"), "start", "--no-browser", "--port", str(port)],
                              cwd=home, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        url = None
        deadline = time.monotonic() + 120
        log = []
        while url is None and time.monotonic() < deadline:
            line = server.stdout.readline()
            if not line:
                break
            log.append(line)
            found = re.search(r"(http://127\.0\.0\.1:\d+)/lab\S*\?token=(\w+)", line)
            if found:
                url = found.groups()
        assert url is not None, "".join(log)
        base, token = url
        listing = None
        while listing is None and time.monotonic() < deadline:  # the URL is printed before it listens
            try:
                with urllib.request.urlopen(f"{base}/api/contents?token={token}", timeout=30) as response:
                    listing = json.load(response)
            except urllib.error.URLError:
                time.sleep(0.5)
        assert listing is not None, "JupyterLab never answered"
        names = sorted(item["name"] for item in listing["content"])
        assert names == sorted(path.name for path in (ROOT / "notebooks").glob("*.ipynb"))
        assert (home / "smtp-lesson" / "00-start-here.ipynb").exists()
    finally:
        server.terminate()  # smtplesson start has become JupyterLab: this stops the server itself
        server.wait(timeout=60)
    with pytest.raises(urllib.error.URLError):  # and nothing is left listening
        urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5)
