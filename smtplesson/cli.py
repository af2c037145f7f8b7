"""The ``smtplesson`` command: ``explain`` a reply, ``start`` the lesson, ``reset`` a notebook,
``check`` the machine.

Bad input ends with exit status 2 and one line on stderr, never a traceback. This module imports
neither pandas nor ipywidgets, so the command starts about as fast as Python itself.
"""

from __future__ import annotations

import argparse
import sys

from .errors import SmtpLessonError

USAGE_ERROR = 2
#: JupyterLab's own first choice of port; ``start`` moves to the next free one, and says so.
DEFAULT_PORT = 8888
#: How many ports after the wanted one ``start`` tries before letting the system pick one.
PORT_TRIES = 50


def _port(text: str) -> int:
    """argparse type for --port: a whole number from 1 to 65535."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"the port is a number from 1 to 65535, not {text!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"the port is a number from 1 to 65535, not {port}")
    return port


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line on stderr and exit status 2."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(USAGE_ERROR, f"{self.prog}: error: {message} (try --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="smtplesson", description="Learn SMTP reply codes: 250 versus 535.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    explain = commands.add_parser(
        "explain", help="explain a reply, a bare code or an S:/C: transcript",
        description="Explain an SMTP reply. Use - to read it from standard input.",
    )
    explain.add_argument("text", nargs="+", help='the reply, e.g. "535 5.7.8 Authentication credentials invalid"')
    explain.add_argument("--lang", default="en", help="language of the answer: en or hi")

    start = commands.add_parser(
        "start", help="copy the lesson into a folder and open it in JupyterLab",
        description="Copy the lesson notebooks into DIR (your edited files are never overwritten) "
                    "and open JupyterLab there at 00-start-here, on 127.0.0.1 only. Without DIR: "
                    "this folder if it holds the lesson, else ./smtp-lesson.")
    start.add_argument("dir", nargs="?", default=None,
                       help="the lesson folder (default: this folder if it holds the lesson, "
                            "else ./smtp-lesson)")
    start.add_argument("--no-browser", action="store_true", help="do not open a browser (hubs, tests)")
    start.add_argument("--port", type=_port, default=None,
                       help=f"the port for JupyterLab, 1-65535 (default: {DEFAULT_PORT}); if it is "
                            "busy, the next free one, and the command says so")
    start.add_argument("--copy-only", action="store_true", help="copy the notebooks, do not start JupyterLab")
    start.add_argument("--no-copy", action="store_true",
                       help="open DIR as it is, copying nothing (make lab opens the repository's "
                            "own notebooks this way)")

    reset = commands.add_parser(
        "reset", help="restore a pristine copy of one notebook, keeping yours as a backup",
        description="Restore NOTEBOOK (e.g. 03 or 03-authentication) in the lesson folder: the one "
                    "given with --dir, else this folder if it holds the lesson, else ./smtp-lesson "
                    "(where start puts it). Your version is kept next to it as "
                    "NAME.backup-DATE-TIME.ipynb.")
    reset.add_argument("notebook", help="which notebook: 03, 03-authentication or the file name")
    reset.add_argument("--dir", default=None,
                       help="the lesson folder (default: this folder if it holds the lesson, "
                            "else ./smtp-lesson)")

    commands.add_parser("check", help="check that this machine is ready for the lesson",
                        description="One line per thing the lesson needs; exit status 1 if "
                                    "something required is missing.")
    return parser


def _read_text(words: list[str]) -> str:
    if words == ["-"]:
        return sys.stdin.buffer.read().decode("utf-8", errors="replace")
    return " ".join(words)


def _port_problem(port: int) -> str | None:
    """Why JupyterLab could not listen on 127.0.0.1:``port`` now, or None if it could."""
    import errno
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as JupyterLab binds
        try:
            probe.bind(("127.0.0.1", port))
        except PermissionError:
            return "needs administrator rights (ports below 1024 do)"
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return "is busy (another program, or another JupyterLab, listens there)"
            return f"cannot be used ({error.strerror or error})"
    return None


def choose_port(wanted: int | None) -> tuple[int, str]:
    """The port JupyterLab will use: ``wanted`` (default 8888) if free, else the next free one.

    Returns (port, note): the note says why the port moved, "" when it did not. JupyterLab is
    then told to use exactly this port (``port_retries=0``), so the address printed is the real one.
    """
    import socket

    first = DEFAULT_PORT if wanted is None else wanted
    problem = _port_problem(first)
    if problem is None:
        return first, ""
    for port in range(first + 1, min(first + PORT_TRIES, 65535) + 1):
        if _port_problem(port) is None:
            break
    else:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
    return port, f"Port {first} {problem}, so JupyterLab uses port {port} instead."


def jupyter_config_dir() -> str:
    """The lesson's JupyterLab settings: the news pop-up ("Would you like to get notified…") off."""
    from importlib import resources

    return str(resources.files("smtplesson").joinpath("data", "jupyter-config"))


def jupyterlab_command(folder, port: int, *, browser: bool = True) -> list[str]:
    """The JupyterLab command line for the lesson: 127.0.0.1 only, at 00, offline and quiet."""
    import os

    command = [sys.executable, "-m", "jupyterlab",
               "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
               f"--ServerApp.root_dir={folder}",
               "--LabApp.default_url=/lab/tree/00-start-here.ipynb",
               "--LabApp.news_url=None",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
               "--LabApp.extension_manager=readonly"]
    if not browser:
        command.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # JupyterLab refuses root without this (containers, CI); the lesson says so in the README.
        command.append("--ServerApp.allow_root=True")
    return command


def _start(args: argparse.Namespace) -> int:
    """Copy the lesson into the workspace, then hand over to JupyterLab until it is stopped."""
    import os
    import subprocess

    from .workspace import copy_lesson, holds_lesson, lesson_folder

    folder = lesson_folder(args.dir)
    if args.no_copy:
        if not holds_lesson(folder):
            raise SmtpLessonError(f"no lesson found in {folder}: --no-copy opens a folder that "
                                  "already holds the lesson notebooks", rule="no-lesson")
        print(f"The lesson is in {folder.resolve()} (opened as it is, nothing copied).")
    else:
        report = copy_lesson(folder)
        print(f"The lesson is in {report.folder.resolve()} "
              f"({len(report.copied)} copied, {len(report.unchanged)} already there).")
        for name in report.kept:
            print(f"  kept your edited {name} (smtplesson reset {name[:2]} restores the original)")
        if args.copy_only:
            return 0
    port, note = choose_port(args.port)
    if note:
        print(note)
    print(f"Opening JupyterLab at http://127.0.0.1:{port}/lab/tree/00-start-here.ipynb "
          "(it prints the same address with its token below; Ctrl+C stops it).")
    command = jupyterlab_command(folder.resolve(), port, browser=not args.no_browser)
    env = dict(os.environ)
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(
        part for part in (jupyter_config_dir(), os.environ.get("JUPYTER_CONFIG_PATH")) if part)
    sys.stdout.flush()
    if os.name == "posix":
        # Become JupyterLab: Ctrl+C and signals reach it directly, and nothing is left behind.
        os.execve(sys.executable, command, env)
    try:
        return subprocess.call(command, env=env)
    except KeyboardInterrupt:
        return 130


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    args = _parser().parse_args(argv)
    try:
        if args.command == "explain":
            from .explain import explain

            print(explain(_read_text(args.text), lang=args.lang))
        elif args.command == "start":
            return _start(args)
        elif args.command == "reset":
            from .workspace import reset_notebook

            restored, backup = reset_notebook(args.notebook, args.dir)  # the folder start uses
            if backup is None:
                print(f"{restored} is now the original version.")
            else:
                print(f"{restored} is now the original version; yours is kept as {backup.name}.")
        elif args.command == "check":
            from .check import run

            results = run()
            for result in results:
                print(result.line())
            return 0 if all(r.ok for r in results if r.required) else 1
    except SmtpLessonError as error:
        print(f"smtplesson: {error}", file=sys.stderr)
        return USAGE_ERROR
    except KeyboardInterrupt:
        return 130
    return 0
