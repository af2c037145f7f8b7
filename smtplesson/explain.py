"""The forgiving front door: ``explain`` turns whatever a learner pastes into a plain answer.

It accepts a reply, a transcript, a bare code, smtplib's ``(535, b'5.7.8 …')`` form or the
exception itself, trims what a paste adds, then hands the text to the strict parser.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from . import cards
from .catalogue import EnhancedCode, ReplyCode, lookup, lookup_enhanced
from .digits import ENHANCED_RE
from .errors import ReplyParseError
from .i18n import check_language, t
from .reply import CONNECTION, END_OF_DATA, Reply, Transcript, command_verb, parse_reply, parse_transcript

#: Pastes longer than this are refused before any parsing (a reply line is at most 512 octets).
MAX_INPUT = 100_000

_SMTPLIB_TUPLE = re.compile(r"\(\s*(\d{3})\s*,\s*(b?(['\"]).*\3)\s*\)", re.S)
_BYTES_LITERAL = re.compile(r"b(['\"]).*\1", re.S)


@dataclass(frozen=True)
class ExplainedReply:
    """One reply with its catalogue entry, its enhanced code decoded, and the command it answers."""

    reply: Reply
    entry: ReplyCode
    enhanced: EnhancedCode | None
    command: str | None = None
    notes: tuple[str, ...] = ()

    def summary(self, lang: str | None = None) -> str:
        """One line: code, name and what it means for the client."""
        return f"{self.reply.code} {self.entry.name}: {t(f'gist.{self.reply.code // 100}', lang)}"


@dataclass(frozen=True)
class Explanation:
    """What a pasted reply or dialogue means, ready to print or to show as a card."""

    kind: str  # "reply", "transcript" or "smtplib"
    items: tuple[ExplainedReply, ...]
    transcript: Transcript | None = None
    lang: str = "en"

    @property
    def reply(self) -> Reply:
        """The reply explained (for a transcript: the last one)."""
        return self.items[-1].reply

    @property
    def verdict(self) -> str:
        """One sentence: what happened in the end."""
        if self.transcript is None:
            return self.items[-1].summary(self.lang)
        delivered = [item for item in self.items if item.command == END_OF_DATA]
        if delivered and delivered[-1].reply.code == 250:
            return t("verdict.accepted", self.lang)
        failure = _last_unrecovered_failure(self.items)
        if failure is None:
            if self.transcript.auth_outcome == "success":
                return t("verdict.auth_ok", self.lang)
            return t("verdict.no_failure", self.lang)
        code, name = failure.reply.code, failure.entry.name
        if command_verb(failure.command) == "AUTH":
            if failure.command == "(AUTH) *":
                return t("verdict.auth_cancelled", self.lang)
            return t("verdict.auth_failed", self.lang, code=code, name=name)
        return t("verdict.refused", self.lang, code=code, name=name,
                 command=failure.command or "?")

    def __str__(self) -> str:
        return cards.explanation_text(self)

    def _repr_html_(self) -> str:
        return cards.explanation_html(self)


def _last_unrecovered_failure(items: tuple[ExplainedReply, ...]) -> ExplainedReply | None:
    """The last 4yz/5yz reply that no later success of the same command undid.

    A 538 to AUTH followed, after STARTTLS, by 235 to AUTH is recovered; a 503 to RCPT TO
    followed by a 250 to a later RCPT TO is too.
    """
    for index in range(len(items) - 1, -1, -1):
        item = items[index]
        if item.reply.code < 400:
            continue
        verb = command_verb(item.command)
        if not any(command_verb(later.command) == verb and later.reply.code // 100 == 2
                   for later in items[index + 1:]):
            return item
    return None


def _explain_reply(reply: Reply, command: str | None, lang: str) -> ExplainedReply:
    notes = []
    enhanced = None
    if reply.enhanced:
        enhanced = lookup_enhanced(reply.enhanced)
    else:
        lookalike = ENHANCED_RE.match(reply.lines[0])
        if lookalike and int(lookalike.group(1)) != reply.code // 100:
            notes.append(t("note.enhanced_mismatch", lang, enhanced=lookalike.group(0),
                           code=reply.code))
    if reply.code == 334 and command is not None:
        notes.append(t("note.challenge", lang))
    return ExplainedReply(reply=reply, entry=lookup(reply.code, lang), enhanced=enhanced,
                          command=command, notes=tuple(notes))


def _from_smtplib(code: int, message: bytes | str) -> str:
    """Rebuild the wire form of a reply from smtplib's (code, text): it drops each line's code."""
    if isinstance(message, bytes):
        try:
            message = message.decode("ascii")
        except UnicodeDecodeError:
            raise ReplyParseError(
                "the reply text is not US-ASCII (RFC 5321 §4.2)", rule="text-characters"
            ) from None
    parts = message.split("\n") if message else [""]
    last = len(parts) - 1
    return "\n".join(f"{code}{'-' if i < last else ' '}{part}" for i, part in enumerate(parts))


def _clean_paste(text: str) -> tuple[str, bool]:
    """Undo what copying adds (indentation, trailing spaces, blank lines, wrapping quotes, a
    bytes literal); return the text and whether it was smtplib's ``(code, b'text')`` form."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'`" and "\n" not in text:
        text = text[1:-1].strip()
    literal = _SMTPLIB_TUPLE.fullmatch(text)
    if literal:
        code, message = ast.literal_eval(f"({literal.group(1)}, {literal.group(2)})")
        return _from_smtplib(code, message), True
    if _BYTES_LITERAL.fullmatch(text):
        value = ast.literal_eval(text)
        return _clean_paste(value.decode("ascii", errors="strict")) if value else ("", False)
    lines = [line.strip() for line in text.replace("\r\n", "\n").split("\n")]
    return "\n".join(line for line in lines if line), False


def _is_transcript(text: str) -> bool:
    return any(line.lstrip()[:2].upper() in ("S:", "C:") for line in text.split("\n"))


def explain(text: object, lang: str | None = None) -> Explanation:
    """Explain a reply, a transcript, a bare code, or smtplib's ``(code, b'text')`` / exception."""
    lang = check_language(lang)
    kind = "reply"
    if isinstance(text, Explanation):
        return text
    if isinstance(text, Transcript):
        return _explain_transcript(text, lang)
    if isinstance(text, Reply):
        return Explanation(kind=kind, items=(_explain_reply(text, None, lang),), lang=lang)
    if hasattr(text, "smtp_code") and hasattr(text, "smtp_error"):  # an smtplib exception
        text = (text.smtp_code, text.smtp_error)
    if isinstance(text, tuple) and len(text) == 2 and isinstance(text[0], int):
        text = _from_smtplib(text[0], text[1])
        kind = "smtplib"
    elif isinstance(text, int) and not isinstance(text, bool):
        text = str(text)
    elif isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("ascii")
        except UnicodeDecodeError:
            raise ReplyParseError("the reply is not US-ASCII text (RFC 5321 §4.2)",
                                  rule="text-characters") from None
    if not isinstance(text, str):
        raise ReplyParseError(
            f"explain() takes a reply, a transcript or a code as text, not {type(text).__name__}",
            rule="explain-type",
        )
    if len(text) > MAX_INPUT:
        raise ReplyParseError(
            f"the text is {len(text):,} characters; paste one reply or one dialogue (a reply line is "
            "at most 512 octets, RFC 5321 §4.5.3.1.5)",
            rule="too-long",
        )
    if kind == "reply":
        try:
            text, from_smtplib = _clean_paste(text)
            kind = "smtplib" if from_smtplib else kind
        except ReplyParseError:
            raise
        except (ValueError, SyntaxError, UnicodeDecodeError, MemoryError, RecursionError):
            raise ReplyParseError(
                "this looks like Python's (code, b'text') form but is not a valid literal",
                rule="smtplib-form",
            ) from None
    if _is_transcript(text):
        return _explain_transcript(parse_transcript(text), lang)
    reply = parse_reply(text)
    return Explanation(kind=kind, items=(_explain_reply(reply, None, lang),), lang=lang)


def _explain_transcript(transcript: Transcript, lang: str) -> Explanation:
    items = tuple(
        _explain_reply(exchange.reply, exchange.command, lang) for exchange in transcript.exchanges
    )
    if not items:
        raise ReplyParseError("the transcript has no server reply ('S: ' line) to explain",
                              rule="no-reply")
    return Explanation(kind="transcript", items=items, transcript=transcript, lang=lang)


__all__ = ["Explanation", "ExplainedReply", "explain", "CONNECTION", "END_OF_DATA"]
