"""The command line: right answers with exit 0, one clear line and exit 2 for bad input."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent


def run(*args, stdin=None, module=True):
    command = [sys.executable, "-m", "smtplesson", *args] if module else [str(BIN / "smtplesson"), *args]
    return subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"})


@pytest.mark.parametrize("module", [True, False], ids=["python -m", "console script"])
def test_explain_a_reply(module):
    result = run("explain", "535 5.7.8 Authentication credentials invalid", module=module)
    assert result.returncode == 0, result.stderr
    assert "535 Authentication credentials invalid" in result.stdout
    assert "permanent negative completion" in result.stdout
    assert result.stderr == ""


def test_unquoted_words_are_joined():
    result = run("explain", "250", "2.1.5", "Ok")
    assert result.returncode == 0 and "2.1.5" in result.stdout


def test_stdin_dash_reads_a_transcript():
    result = run("explain", "-", stdin="S: 220 x\nC: AUTH PLAIN AGFsaWNlAHdyb25n\nS: 535 5.7.8 no\n")
    assert result.returncode == 0, result.stderr
    assert "Authentication failed" in result.stdout


def test_hindi_answer():
    result = run("explain", "--lang", "hi", "250 OK")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "✔ 250 माँगा गया काम हो गया"                    # 250's name in Hindi
    assert lines[1].strip().startswith("विवरण: रोज़मर्रा का सफल उत्तर")
    assert "2yz सफल (काम पूरा)" in result.stdout and "Description" not in result.stdout


@pytest.mark.parametrize("args, stdin", [
    (["explain", "2500 OK"], None),
    (["explain", "5.7.8 Username and Password not accepted"], None),
    (["explain", "-"], "\x00\x01binary junk"),
    (["explain", "-"], ""),
    (["explain", "--lang", "xx", "250 OK"], None),
    (["explain"], None),
    (["frobnicate"], None),
    ([], None),
])
def test_bad_input_is_one_line_exit_2_no_traceback(args, stdin):
    result = run(*args, stdin=stdin)
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr


def test_explain_path_imports_neither_pandas_nor_ipywidgets():
    probe = ("import sys, io, contextlib\n"
             "from smtplesson.cli import main\n"
             "with contextlib.redirect_stdout(io.StringIO()):\n"
             "    main(['explain', '535 5.7.8 Authentication credentials invalid'])\n"
             "print(sorted(m for m in ('pandas', 'ipywidgets', 'aiosmtpd', 'numpy') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "[]", result.stderr
