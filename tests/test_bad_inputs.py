"""Bad input, the way learners really type it: one clear line, never a traceback, nothing left over.

One table, three kinds of row:

* ``api``: a call that must raise a ``ValueError`` subclass (``SmtpLessonError``) naming its rule,
  with a one-line message;
* ``widget``: something done to a lesson widget that must end in a one-line message inside the
  widget (no exception reaches the notebook cell), or a widget constructor that must raise
  like the API and leave no widget part and no language listener behind (issue 15.1);
* ``cli``: a real ``smtplesson`` process that must exit with status 2, print one line on stderr,
  nothing on stdout, and no traceback.

Each in-process row runs twice and the second run is measured: it must leave no thread, no open
file descriptor (sockets included) and no file behind. Each command runs in an empty folder that
must still hold only what the row put there, and no child process may outlive it.
"""

from __future__ import annotations

import gc
import os
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import psutil
import pytest

import smtplesson
from conftest import IN_CI, ci_is_on
from smtplesson import (SmtpLessonError, compare, explain, i18n, lookup, lookup_enhanced,
                        parse_reply, parse_transcript, quiz)
from smtplesson.lab import LabServer, dialogue, send_mail
from smtplesson.widgets import CodeExplorer, ContrastCard, ExplainBox, LabPanel, Quiz

try:  # every ipywidgets object made and not closed (ipywidgets 8 keeps them all here)
    from ipywidgets.widgets.widget import _instances as widget_instances
except ImportError:  # pragma: no cover - ipywidgets 7
    from ipywidgets import Widget

    widget_instances = Widget.widgets
from smtplesson.workspace import copy_lesson, find_notebook, reset_notebook

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Context:
    """What a row may use: a running lab, a port something else holds, a scratch folder."""

    lab: LabServer
    busy_port: int
    folder: Path
    made: list = field(default_factory=list)  # things a row made that the harness must clean up


@dataclass(frozen=True)
class Bad:
    kind: str                 # "api", "build" (a widget constructor), "widget", "cli"
    name: str
    says: str                 # a piece of the one-line message the learner must see
    rule: str = ""            # the rule an exception names ("api" and "build")
    act: Callable | None = None   # in-process: act(ctx) does the bad thing (a widget row returns it)
    args: tuple[str, ...] = ()    # "cli": the command line after `smtplesson`
    stdin: str | None = None
    setup: Callable | None = None  # setup(folder) prepares the folder a row runs in
    where: str = "problem"    # "widget": which part of the widget shows the message


def _panel_with_stopped_lab(ctx: Context):
    stopped = LabServer()
    ctx.made.append(stopped)
    panel = LabPanel(stopped, password="wonderland")
    panel.send_button.click()
    return panel


def _set(widget_factory, control: str, value):
    """A row that builds a widget and sets one of its controls to ``value``, as a learner would."""
    def act(ctx: Context):
        widget = widget_factory(ctx)
        getattr(widget, control).value = value
        return widget
    return act


def _card(ctx):
    return ContrastCard()


def _explorer(ctx):
    return CodeExplorer()


def _quiz(ctx):
    return Quiz(topics=["530-vs-535"])


def _panel(ctx):
    return LabPanel(ctx.lab)


def _box(ctx):
    return ExplainBox()


def _quiz_check_without_pick(ctx):
    widget = _quiz(ctx)
    widget.check.click()
    return widget


def _lesson(folder: Path) -> None:
    copy_lesson(folder)


def _a_file(folder: Path) -> None:
    (folder / "lesson").write_text("not a folder")


BAD = [
    # --- the API ---------------------------------------------------------------------------------
    Bad("api", "parse_reply('2500 OK')", "exactly three digits", "three-digits",
        lambda ctx: parse_reply("2500 OK")),
    Bad("api", "parse_reply('535-5.7.8 first line only')", "no final line", "no-final-line",
        lambda ctx: parse_reply("535-5.7.8 first line only")),
    Bad("api", "parse_reply('999 nope')", "first digit must be 2, 3, 4 or 5", "first-digit",
        lambda ctx: parse_reply("999 nope")),
    Bad("api", "parse_reply('')", "empty", "empty", lambda ctx: parse_reply("")),
    Bad("api", "parse_reply(250)", "text, not int", "reply-type", lambda ctx: parse_reply(250)),
    Bad("api", "parse_reply('250 a\\x00b')", "U+0000", "text-characters",
        lambda ctx: parse_reply("250 a\x00b")),
    Bad("api", "parse_reply(a 606-octet line)", "at most 512", "line-length",
        lambda ctx: parse_reply("250 " + "x" * 600)),
    Bad("api", "parse_transcript('X: 250 ok')", "'S: ' (server) or 'C: ' (client)", "transcript-side",
        lambda ctx: parse_transcript("X: 250 ok")),
    Bad("api", "lookup('abc')", "not a reply code", "three-digits", lambda ctx: lookup("abc")),
    Bad("api", "lookup(None)", "not NoneType", "code-type", lambda ctx: lookup(None)),
    Bad("api", "lookup(260)", "second digit must be 0 to 5", "second-digit", lambda ctx: lookup(260)),
    Bad("api", "lookup_enhanced('5.7')", "not an enhanced status code", "enhanced-format",
        lambda ctx: lookup_enhanced("5.7")),
    Bad("api", "compare(250, 600)", "SMTP has no 6yz replies", "first-digit",
        lambda ctx: compare(250, 600)),
    Bad("api", "explain(None)", "not NoneType", "explain-type", lambda ctx: explain(None)),
    Bad("api", "explain(a million characters)", "1,000,000 characters", "too-long",
        lambda ctx: explain("x" * 1_000_000)),
    Bad("api", "explain('5.7.8 Username and Password not accepted')", "enhanced status code",
        "three-digits", lambda ctx: explain("5.7.8 Username and Password not accepted")),
    Bad("api", "set_language('fr')", "choose one of en, hi", "language",
        lambda ctx: smtplesson.set_language("fr")),
    Bad("api", "LabServer(port=70000)", "up to 65535", "port", lambda ctx: LabServer(port=70000)),
    Bad("api", "LabServer(host='8.8.8.8')", "loopback", "loopback-only",
        lambda ctx: LabServer(host="8.8.8.8")),
    Bad("api", "LabServer(accounts={'': 'x'})", "non-empty user names", "accounts",
        lambda ctx: LabServer(accounts={"": "x"})),
    Bad("api", "LabServer(port=<busy>).start()", "port", "port-in-use",
        lambda ctx: LabServer(port=ctx.busy_port).start()),
    Bad("api", "send_mail('lab', 'alice', 'x')", "LabServer", "lab",
        lambda ctx: send_mail("lab", "alice", "x")),
    Bad("api", "send_mail(<a lab never started>, ...)", "not running", "lab-stopped",
        lambda ctx: send_mail(LabServer(), "alice", "x")),
    Bad("api", "send_mail(lab, 5, 'x')", "user must be text", "text-input",
        lambda ctx: send_mail(ctx.lab, 5, "x")),
    Bad("api", "dialogue(lab, ['EHLO a\\r\\nMAIL FROM:<>'])", "cannot contain a line break", "one-line",
        lambda ctx: dialogue(ctx.lab, ["EHLO a\r\nMAIL FROM:<>"])),
    Bad("api", "quiz.select(topics=['nope'])", "no quiz topic 'nope'", "quiz-topic",
        lambda ctx: quiz.select(topics=["nope"])),
    Bad("api", "find_notebook('99')", "choose one of: 00-start-here", "notebook-name",
        lambda ctx: find_notebook("99")),
    Bad("api", "copy_lesson(<a file>)", "is not a folder", "workspace",
        lambda ctx: copy_lesson(ctx.folder / "lesson"), setup=_a_file),
    Bad("api", "reset_notebook('03', <an empty folder>)", "no lesson found in", "no-lesson",
        lambda ctx: reset_notebook("03", ctx.folder)),
    Bad("api", "reset_notebook('03', <the originals>)", "originals", "originals",
        lambda ctx: reset_notebook("03", ROOT / "notebooks")),

    # --- widget constructors (issue 15.1, 15.7) -------------------------------------------------
    Bad("build", "ContrastCard(250, 'abc')", "not a reply code", "three-digits",
        lambda ctx: ContrastCard(250, "abc")),
    Bad("build", "ContrastCard(250, 600)", "SMTP has no 6yz replies", "first-digit",
        lambda ctx: ContrastCard(250, 600)),
    Bad("build", "CodeExplorer(999)", "SMTP has no 9yz replies", "first-digit",
        lambda ctx: CodeExplorer(999)),
    Bad("build", "Quiz(topics=['nope'])", "no quiz topic 'nope'", "quiz-topic",
        lambda ctx: Quiz(topics=["nope"])),
    Bad("build", "Quiz(ids=['nope'])", "no quiz question has the id 'nope'", "quiz-id",
        lambda ctx: Quiz(ids=["nope"])),
    Bad("build", "Quiz(topics=[5])", "given as text", "quiz-topic", lambda ctx: Quiz(topics=[5])),
    Bad("build", "LabPanel(lab='str')", "LabPanel(lab) takes a LabServer", "lab",
        lambda ctx: LabPanel(lab="str")),
    Bad("build", "LabPanel(lab, user=None)", "user must be text", "text-input",
        lambda ctx: LabPanel(ctx.lab, user=None)),
    Bad("build", "LabPanel(lab, starttls='maybe')", "True or False", "starttls",
        lambda ctx: LabPanel(ctx.lab, starttls="maybe")),
    Bad("build", "ExplainBox(['535'])", "ExplainBox takes the text", "text-input",
        lambda ctx: ExplainBox(["535"])),
    Bad("build", "ContrastCard(lang='fr')", "choose one of en, hi", "language",
        lambda ctx: ContrastCard(lang="fr")),

    # --- values set on widgets: a message inside (issue 15.6) -------------------------------------
    Bad("widget", "card.first.value = 299", "299 is not one of the choices here. Choose one of: 211",
        act=_set(_card, "first", 299)),
    Bad("widget", "card.second.value = 'abc'", "&#x27;abc&#x27; is not one of the choices",
        act=_set(_card, "second", "abc")),
    Bad("widget", "card.first.value = None", "None is not one of the choices",
        act=_set(_card, "first", None)),
    Bad("widget", "card.first.value = True", "True is not one of the choices",
        act=_set(_card, "first", True)),
    Bad("widget", "card.language.value = 'fr'", "Choose one of: &#x27;en&#x27;, &#x27;hi&#x27;.",
        act=_set(_card, "language", "fr")),
    Bad("widget", "explorer.code.value = 999", "999 is not one of the choices",
        act=_set(_explorer, "code", 999)),
    Bad("widget", "explorer.reply_class.value = 7", "Choose one of: 0, 2, 3, 4, 5.",
        act=_set(_explorer, "reply_class", 7)),
    Bad("widget", "explorer.category.value = 9", "Choose one of: -1, 0, 1, 2, 3, 4, 5.",
        act=_set(_explorer, "category", 9)),
    Bad("widget", "explorer.command.value = 'FROB'", "&#x27;FROB&#x27; is not one of the choices",
        act=_set(_explorer, "command", "FROB")),
    Bad("widget", "explorer.search.value = None", "None is not text",
        act=_set(_explorer, "search", None)),
    Bad("widget", "explorer.search.value = 'x' * 1000", "too long",
        act=_set(_explorer, "search", "x" * 1000)),
    Bad("widget", "quiz.choice.value = 9", "9 is not one of the choices here. Choose one of: A, B",
        act=_set(_quiz, "choice", 9)),
    Bad("widget", "quiz: Check with nothing picked", "Pick an answer first",
        act=_quiz_check_without_pick),
    Bad("widget", "panel.password.value = None", "None is not text",
        act=_set(_panel, "password", None)),
    Bad("widget", "panel.user.value = ['alice']", "is not text: put the words in quotes",
        act=_set(_panel, "user", ["alice"])),
    Bad("widget", "panel.starttls.value = 'maybe'", "is neither True nor False",
        act=_set(_panel, "starttls", "maybe")),
    Bad("widget", "panel: Send on a stopped lab", "The lab had stopped, so Send started it again",
        act=_panel_with_stopped_lab, where="notice"),
    Bad("widget", "box.text.value = ''", "Paste a reply first", act=_set(_box, "text", "")),
    Bad("widget", "box.text.value = '999 nope'", "first digit must be 2, 3, 4 or 5",
        act=_set(_box, "text", "999 nope")),
    Bad("widget", "box.text.value = None", "None is not text", act=_set(_box, "text", None)),

    # --- the command line and the learner commands ----------------------------------------------
    Bad("cli", "explain '2500 OK'", "exactly three digits", args=("explain", "2500 OK")),
    Bad("cli", "explain --lang xx '250 OK'", "unknown language 'xx'",
        args=("explain", "--lang", "xx", "250 OK")),
    Bad("cli", "explain (nothing)", "the following arguments are required: text", args=("explain",)),
    Bad("cli", "explain - < binary junk", "three-digit reply code", args=("explain", "-"), stdin="\x00\x01junk"),
    Bad("cli", "frobnicate", "invalid choice: 'frobnicate'", args=("frobnicate",)),
    Bad("cli", "(no command)", "the following arguments are required: command", args=()),
    Bad("cli", "start --port 99999", "the port is a number from 1 to 65535, not 99999",
        args=("start", "--port", "99999")),
    Bad("cli", "start --port 0", "the port is a number from 1 to 65535, not 0",
        args=("start", "--port", "0")),
    Bad("cli", "start --port abc", "not 'abc'", args=("start", "--port", "abc")),
    Bad("cli", "start lesson (a file)", "exists and is not a folder",
        args=("start", "lesson", "--no-browser"), setup=_a_file),
    Bad("cli", "start --no-copy (no lesson here)", "no lesson found in",
        args=("start", ".", "--no-copy", "--no-browser")),
    Bad("cli", "reset 03 (no lesson here)", "no lesson found: neither this folder",
        args=("reset", "03")),
    Bad("cli", "reset 99 (in a lesson folder)", "no single lesson notebook matches '99'",
        args=("reset", "99"), setup=_lesson),
    Bad("cli", "reset 03 --dir nowhere", "nowhere is not a folder", args=("reset", "03", "--dir", "nowhere")),
    Bad("cli", "reset 03 --dir <the originals>", "originals",
        args=("reset", "03", "--dir", str(ROOT / "notebooks"))),
    Bad("cli", "reset (no notebook)", "the following arguments are required: notebook",
        args=("reset",)),
    Bad("cli", "check --verbose", "unrecognized arguments: --verbose", args=("check", "--verbose")),
]


def test_the_table_is_wide():
    kinds = {kind: sum(row.kind == kind for row in BAD) for kind in ("api", "build", "widget", "cli")}
    assert len(BAD) >= 40 and all(count >= 10 for count in kinds.values()), kinds
    assert len({row.name for row in BAD}) == len(BAD)
    for widget in (ContrastCard, CodeExplorer, Quiz, LabPanel, ExplainBox):  # every widget
        assert any(widget.__name__ in row.name for row in BAD if row.kind == "build"), widget
    for command in ("start", "reset", "check", "explain"):
        assert any(row.args[:1] == (command,) for row in BAD if row.kind == "cli"), command


# --- the harness ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def lab():
    with LabServer() as server:
        yield server


@pytest.fixture(scope="module")
def busy_port():
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


@pytest.fixture(autouse=True)
def english_again():
    yield
    smtplesson.set_language("en")


def _open_fds() -> list[str]:
    fds = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            fds.append(os.readlink(f"/proc/self/fd/{fd}"))
        except OSError:  # the listing's own descriptor, closed already
            pass
    return sorted(fds)


def _state(folder: Path) -> dict:
    gc.collect()
    return {"threads": sorted(t.name for t in threading.enumerate()), "fds": _open_fds(),
            "files": sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))}


def _one_line(message: str) -> None:
    assert message.strip() and "\n" not in message.strip(), message
    assert "Traceback" not in message


def _run_in_process(row: Bad, ctx: Context):
    """Do the row once; return what it shows (the exception, or the widget)."""
    if row.kind in ("api", "build"):
        with pytest.raises(SmtpLessonError) as caught:
            row.act(ctx)
        return caught.value
    return row.act(ctx)


def _check_in_process(row: Bad, result) -> None:
    if row.kind in ("api", "build"):
        assert isinstance(result, ValueError)
        assert result.rule == row.rule, (result.rule, str(result))
        assert row.says in str(result), str(result)
        _one_line(str(result))
        return
    shown = getattr(result, row.where).value
    assert row.says in shown, shown
    text = shown.split("⚠")[-1] if row.where == "problem" else shown
    _one_line(text.replace("</div>", "").replace("</p>", ""))


@pytest.mark.parametrize("row", [row for row in BAD if row.kind != "cli"], ids=lambda row: row.name)
def test_bad_input_in_the_kernel(row, lab, busy_port, tmp_path):
    ctx = Context(lab, busy_port, tmp_path)

    def once():
        for path in sorted(tmp_path.rglob("*"), reverse=True):  # a fresh, empty folder each time
            path.unlink() if path.is_file() else path.rmdir()
        if row.setup is not None:
            row.setup(tmp_path)
        before = _state(tmp_path)
        result = _run_in_process(row, ctx)
        _check_in_process(row, result)
        while ctx.made:
            ctx.made.pop().stop()
        return before, _state(tmp_path), result

    once()  # the first run may load modules and fill caches once
    listeners = i18n.listener_count()
    parts = len(widget_instances)
    before, after, result = once()
    assert after == before
    if row.kind == "build":  # a widget that failed to build leaves no part and no listener
        assert i18n.listener_count() == listeners
        assert len(widget_instances) == parts
        smtplesson.set_language("hi")  # and the language switch still works for everyone
        smtplesson.set_language("en")
    if row.kind == "widget":  # the widget still follows the language: nothing broke
        smtplesson.set_language("hi")
        assert result.lang == "hi" and 'lang="hi"' in result.title.value + result.fallback_html()


@pytest.mark.parametrize("row", [row for row in BAD if row.kind == "cli"], ids=lambda row: row.name)
def test_bad_input_on_the_command_line(row, tmp_path):
    if row.setup is not None:
        row.setup(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    result = subprocess.run([sys.executable, "-m", "smtplesson", *row.args], input=row.stdin,
                            capture_output=True, text=True, timeout=60, cwd=tmp_path,
                            env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout == ""
    _one_line(result.stderr)
    assert row.says in result.stderr, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written
    assert psutil.Process().children(recursive=True) == []  # nothing left running


@pytest.mark.parametrize("value, on", [("1", True), ("true", True), ("TRUE", True), ("yes", True),
                                       ("Yes", True), ("on", True), ("", False), ("0", False),
                                       ("false", False), ("no", False)])
def test_ci_means_any_true_value(value, on):
    assert ci_is_on(value) is on
    assert IN_CI is ci_is_on(os.environ.get("CI", ""))
