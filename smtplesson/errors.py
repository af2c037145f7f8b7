"""The exceptions smtplesson raises: each is a ValueError that names the rule that was broken."""

from __future__ import annotations


class SmtpLessonError(ValueError):
    """Base class: bad input to smtplesson, with the rule it broke in ``rule``."""

    def __init__(self, message: str, rule: str = "") -> None:
        super().__init__(message)
        self.rule = rule


class ReplyParseError(SmtpLessonError):
    """The text is not a well-formed SMTP reply (or transcript, or code)."""


class LabError(SmtpLessonError):
    """The live lab could not do what was asked (bad setting, port in use, lab stopped)."""
