"""The learner's workspace: start copies, reset restores with a backup, check reports."""

import datetime
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import IN_CI, jupyter_env, require_tool, started_lesson
from smtplesson import SmtpLessonError
from smtplesson.workspace import (copy_lesson, find_lesson, find_notebook, lesson_folder,
                                  pristine_notebooks, reset_notebook)

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


# --- start and reset find the same lesson (issue 15.2) -----------------------------------------

def test_reset_where_start_was_run_restores_in_smtp_lesson_and_writes_nothing_here(tmp_path):
    assert run_cli("start", "--copy-only", cwd=tmp_path).returncode == 0
    lesson = tmp_path / "smtp-lesson"
    (lesson / "03-authentication.ipynb").write_text("broken")
    result = run_cli("reset", "03", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "smtp-lesson/03-authentication.ipynb is now the original version" in result.stdout
    assert (lesson / "03-authentication.ipynb").read_bytes() == find_notebook("03").read_bytes()
    assert len(list(lesson.glob("03-authentication.backup-*.ipynb"))) == 1
    assert sorted(path.name for path in tmp_path.iterdir()) == ["smtp-lesson"]  # no stray copy


def test_start_inside_the_lesson_folder_uses_that_folder(tmp_path):
    copy_lesson(tmp_path)
    result = run_cli("start", "--copy-only", cwd=tmp_path)
    assert result.returncode == 0 and f"The lesson is in {tmp_path}" in result.stdout
    assert not (tmp_path / "smtp-lesson").exists()


def test_the_folder_rule(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert lesson_folder() == Path("smtp-lesson") and lesson_folder("x") == Path("x")
    copy_lesson(tmp_path / "smtp-lesson")
    assert find_lesson() == Path("smtp-lesson")
    monkeypatch.chdir(tmp_path / "smtp-lesson")
    assert lesson_folder() == Path(".") and find_lesson() == Path(".")


def test_reset_with_no_lesson_where_it_looks_refuses_and_writes_nothing(tmp_path):
    result = run_cli("reset", "03", cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert "no lesson found: neither this folder" in result.stderr and "--dir" in result.stderr
    assert list(tmp_path.iterdir()) == []
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(SmtpLessonError, match="no lesson found in") as caught:
        reset_notebook("03", empty)
    assert caught.value.rule == "no-lesson" and list(empty.iterdir()) == []


def test_reset_refuses_to_touch_the_originals():
    result = run_cli("reset", "03", "--dir", str(ROOT / "notebooks"))
    assert result.returncode == 2 and "originals" in result.stderr and "git checkout" in result.stderr


# --- start: the port, the first notebook, no news pop-up (issue 15.3, 15.10, 15.12) -------------

@pytest.fixture(scope="module")
def busy_port():
    """A port something else listens on, as another learner's JupyterLab would."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


@pytest.fixture(scope="module")
def lesson(tmp_path_factory, busy_port):
    home = tmp_path_factory.mktemp("learner")
    command = [sys.executable, "-m", "smtplesson", "start", "--no-browser", "--port", str(busy_port)]
    with started_lesson(command, home, jupyter_env(home)) as running:
        yield running


@pytest.mark.slow
def test_a_busy_port_is_reported_with_the_address_really_used(lesson, busy_port):
    said = "".join(lesson.lines)
    moved = f"Port {busy_port} is busy"
    assert moved in said and "so JupyterLab uses port" in said
    used = int(said.split("so JupyterLab uses port ")[1].split()[0])
    assert used != busy_port
    assert f"Opening JupyterLab at http://127.0.0.1:{used}/lab/tree/00-start-here.ipynb" in said
    assert lesson.base == f"http://127.0.0.1:{used}"  # JupyterLab's own address agrees
    _, status = lesson.get("/api/status")
    assert "started" in json.loads(status)


@pytest.mark.slow
def test_start_opens_the_first_notebook(lesson):
    final, _ = lesson.get("/")
    assert final.split("?")[0].endswith("/lab/tree/00-start-here.ipynb")
    _, listing = lesson.get("/api/contents")
    names = sorted(item["name"] for item in json.loads(listing)["content"])
    assert names == sorted(path.name for path in pristine_notebooks())


@pytest.mark.slow
def test_the_news_plugin_is_off_in_the_page_jupyterlab_serves(lesson):
    _, page = lesson.get("/lab")
    config = json.loads(page.split('id="jupyter-config-data"')[1].split(">", 1)[1].split("</script>")[0])
    assert "@jupyterlab/apputils-extension:announcements" in config["disabledExtensions"]


def news_toasts(browser, url: str) -> list[str]:
    """The notifications JupyterLab pops up in the first seconds after it is drawn."""
    page = browser.new_page()
    try:
        page.goto(url, timeout=90_000)
        page.wait_for_selector(".jp-LabShell", timeout=90_000)
        page.wait_for_timeout(6_000)  # the news question comes once the app is restored
        toasts = page.locator(".Toastify__toast")
        return [toasts.nth(i).inner_text() for i in range(toasts.count())]
    finally:
        page.close()


@pytest.mark.slow
def test_no_news_pop_up_in_a_real_browser_while_plain_jupyterlab_shows_one(lesson, tmp_path):
    from browser_support import CHROMIUM_ARGS

    chromium = require_tool("chromium", "the news pop-up is checked in a real browser")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if IN_CI:
            pytest.fail("playwright is not installed")
        pytest.skip("playwright is not installed")
    plain_home = tmp_path / "plain"
    plain_home.mkdir()
    plain = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
             "--ServerApp.allow_root=True", f"--ServerApp.root_dir={plain_home}"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True,
                                             args=CHROMIUM_ARGS, timeout=60_000)
        try:
            ours = news_toasts(browser, f"{lesson.base}/lab?token={lesson.token}")
            with started_lesson(plain, plain_home, jupyter_env(plain_home)) as control:
                theirs = news_toasts(browser, f"{control.base}/lab?token={control.token}")
        finally:
            browser.close()
    assert any("Jupyter news" in text for text in theirs), theirs  # the check can see the pop-up
    assert not any("Jupyter news" in text for text in ours), ours


@pytest.mark.parametrize("port", ["0", "99999", "-1", "http", "8888.5"])
def test_start_refuses_a_port_outside_1_to_65535_at_once(tmp_path, port):
    result = run_cli("start", "--no-browser", "--port", port, cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert "the port is a number from 1 to 65535" in result.stderr
    assert list(tmp_path.iterdir()) == []  # refused before copying anything
