"""The ``smtplesson`` command: ``explain`` a reply from the shell.

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
    return parser


def _read_text(words: list[str]) -> str:
    if words == ["-"]:
        return sys.stdin.buffer.read().decode("utf-8", errors="replace")
    return " ".join(words)


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
    except SmtpLessonError as error:
        print(f"smtplesson: {error}", file=sys.stderr)
        return USAGE_ERROR
    except KeyboardInterrupt:
        return 130
    return 0
