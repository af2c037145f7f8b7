"""The ``smtplesson`` command: ``explain`` a reply, ``start`` the lesson, ``reset`` a notebook,
``check`` the machine, read a mail server's ``logs``.

Bad input ends with exit status 2 and one line on stderr, never a traceback. This module imports
neither pandas nor ipywidgets, so the command starts about as fast as Python itself.
"""

from __future__ import annotations

import argparse
import sys

from .errors import SmtpLessonError

USAGE_ERROR = 2


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
                    "and open JupyterLab there, on 127.0.0.1 only.")
    start.add_argument("dir", nargs="?", default=None, help="the workspace folder (default: ./smtp-lesson)")
    start.add_argument("--no-browser", action="store_true", help="do not open a browser (hubs, tests)")
    start.add_argument("--port", type=int, default=None, help="the port for JupyterLab (default: its own)")
    start.add_argument("--copy-only", action="store_true", help="copy the notebooks, do not start JupyterLab")

    reset = commands.add_parser(
        "reset", help="restore a pristine copy of one notebook, keeping yours as a backup",
        description="Restore NOTEBOOK (e.g. 03 or 03-authentication) in DIR; your version is kept "
                    "next to it as NAME.backup-DATE-TIME.ipynb.")
    reset.add_argument("notebook", help="which notebook: 03, 03-authentication or the file name")
    reset.add_argument("--dir", default=".", help="the workspace folder (default: this folder)")

    logs = commands.add_parser(
        "logs", help="read a mail server log: its SMTP events and the refused logins (535) per address",
        description="Read a Postfix, Dovecot or Exim log (plain or .gz) and sum up its SMTP events "
                    "and the refused logins (535) per client address.")
    logs.add_argument("file", help="the log, e.g. /var/log/mail.log or mail.log.1.gz")
    logs.add_argument("--top", type=int, default=10, help="how many addresses to list (default: 10)")
    logs.add_argument("--json", action="store_true", help="print JSON instead of a table")
    logs.add_argument("--year", type=int, default=None,
                      help="the year of the first 'Nov 20 02:13:05' line (default: from the file's date)")
    logs.add_argument("--lang", default="en", help="language of the summary: en or hi")

    commands.add_parser("check", help="check that this machine is ready for the lesson",
                        description="One line per thing the lesson needs; exit status 1 if "
                                    "something required is missing.")
    return parser


def _read_text(words: list[str]) -> str:
    if words == ["-"]:
        return sys.stdin.buffer.read().decode("utf-8", errors="replace")
    return " ".join(words)


def _start(args: argparse.Namespace) -> int:
    """Copy the lesson into the workspace, then hand over to JupyterLab until it is stopped."""
    import os
    import subprocess

    from .workspace import DEFAULT_DIR, copy_lesson

    report = copy_lesson(args.dir or DEFAULT_DIR)
    print(f"The lesson is in {report.folder.resolve()} "
          f"({len(report.copied)} copied, {len(report.unchanged)} already there).")
    for name in report.kept:
        print(f"  kept your edited {name} (smtplesson reset {name[:2]} restores the original)")
    if args.copy_only:
        return 0
    command = [sys.executable, "-m", "jupyter", "lab", "--ServerApp.ip=127.0.0.1",
               f"--ServerApp.root_dir={report.folder.resolve()}",
               "--LabApp.default_url=/lab/tree/00-start-here.ipynb"]
    if args.no_browser:
        command.append("--no-browser")
    if args.port is not None:
        command.append(f"--ServerApp.port={args.port}")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--ServerApp.allow_root=True")
    sys.stdout.flush()
    if os.name == "posix":
        # Become JupyterLab: Ctrl+C and signals reach it directly, and nothing is left behind.
        os.execv(sys.executable, command)
    try:
        return subprocess.call(command)
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

            restored, backup = reset_notebook(args.notebook, args.dir)
            if backup is None:
                print(f"{restored} is now the original version.")
            else:
                print(f"{restored} is now the original version; yours is kept as {backup.name}.")
        elif args.command == "logs":
            from .logs.command import summarise

            if args.top < 0:
                raise SmtpLessonError("--top takes a number of addresses, 0 or more (rule: log-top)",
                                      rule="log-top")
            print(summarise(args.file, top=args.top, year=args.year, as_json=args.json, lang=args.lang))
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
