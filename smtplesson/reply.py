"""A strict model of SMTP replies and dialogues (RFC 5321 §4.2, §4.2.1, §4.5.3.1.5).

``parse_reply`` reads one reply, multi-line or not, and refuses anything the RFC does not allow,
naming the rule. ``parse_transcript`` reads a dialogue written as in RFC 5321's examples
(``S:`` and ``C:`` lines) and pairs each reply with the command it answers.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from functools import cached_property
from typing import Iterable

from .digits import CATEGORIES, ENHANCED_RE, REPLY_CLASSES, check_code
from .errors import ReplyParseError

#: RFC 5321 §4.5.3.1.5: a reply line is at most 512 octets including the code and CRLF.
MAX_LINE = 512
#: Anything outside RFC 5321's textstring (HT, SP and printable US-ASCII).
_NOT_TEXT = re.compile(r"[^\t -~]")


@dataclass(frozen=True)
class Reply:
    """One SMTP reply: a three-digit code and the text of each of its lines."""

    code: int
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        """All the reply's text, one line per reply line."""
        return "\n".join(self.lines)

    @property
    def multiline(self) -> bool:
        return len(self.lines) > 1

    @cached_property
    def enhanced(self) -> str | None:
        """The enhanced code (RFC 3463) opening the first line, if its class agrees (RFC 2034 §4)."""
        return _enhanced_in(self.code, self.lines[0])

    @property
    def reply_class(self) -> str:
        return REPLY_CLASSES[self.code // 100]

    @property
    def category(self) -> str:
        return CATEGORIES[self.code // 10 % 10]

    @property
    def wire(self) -> tuple[str, ...]:
        """The reply as it travels: ``535-…`` for every line but the last, ``535 …`` for the last.

        A last line without text is the bare code (RFC 5321 §4.2 makes the space optional), except
        334, whose space RFC 4954 §4 requires (``continue-req = "334" SP [base64]``).
        """
        last = len(self.lines) - 1
        return tuple(
            f"{self.code}-{line}" if i < last
            else f"{self.code} {line}" if line or self.code == 334
            else str(self.code)
            for i, line in enumerate(self.lines)
        )

    def __str__(self) -> str:
        return "\n".join(self.wire)


def _enhanced_in(code: int, first_line: str) -> str | None:
    match = ENHANCED_RE.match(first_line)
    if not match:
        return None
    end = match.end()
    if end < len(first_line) and first_line[end] not in " \t":
        return None  # e.g. "2.0.0.1" or "5.7.8," is not a code followed by text
    if int(match.group(1)) != code // 100:
        return None  # RFC 2034 §4: the class must agree with the reply's first digit
    return match.group(0)


def _split_lines(text: str) -> list[str]:
    """Split on CRLF or LF, allowing one final line end. Only one CR before each LF belongs to the
    line end: a stray CR left in a line is text, which the parser then refuses (RFC 5321 §4.2)."""
    if text.endswith("\n"):
        text = text[:-1]
    return [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]


def _describe(char: str) -> str:
    return f"U+{ord(char):04X}" + (f" ({char!r})" if char.isprintable() else "")


def _check_line(line: str, number: int) -> tuple[int, str, str]:
    """Check one reply line; return (code, separator, text)."""
    if line == "":
        raise ReplyParseError.of("error.reply.empty_line", rule="empty-line", line=number)
    if len(line) + 2 > MAX_LINE:
        raise ReplyParseError.of("error.reply.line_length", rule="line-length", line=number,
                                 octets=len(line) + 2, limit=MAX_LINE)
    if line[0] in " \t":
        raise ReplyParseError.of("error.reply.leading_space", rule="leading-space", line=number)
    if line[:2] in ("b'", 'b"'):
        raise ReplyParseError.of("error.reply.bytes_literal", rule="bytes-literal", line=number)
    if ENHANCED_RE.match(line):
        raise ReplyParseError.of("error.reply.enhanced_first", rule="three-digits", line=number,
                                 enhanced=ENHANCED_RE.match(line).group(0))
    head = line[:3]
    if not (len(head) == 3 and head.isascii() and head.isdigit()):
        raise ReplyParseError.of("error.reply.no_code", rule="three-digits", line=number,
                                 start=line[:12])
    if len(line) > 3 and line[3].isascii() and line[3].isdigit():
        raise ReplyParseError.of("error.reply.four_digits", rule="three-digits", line=number,
                                 start=line[:8])
    code = check_code(head)  # raises for a first digit outside 2-5 or a second outside 0-5
    separator = line[3:4]
    if separator not in ("", " ", "-"):
        raise ReplyParseError.of("error.reply.separator", rule="separator", line=number,
                                 code=head, char=_describe(separator))
    text = line[4:]
    bad = _NOT_TEXT.search(text)
    if bad:
        raise ReplyParseError.of("error.reply.text_characters", rule="text-characters",
                                 line=number, char=_describe(bad.group(0)))
    return code, separator, text


def parse_reply(text: str | bytes) -> Reply:
    """Parse one SMTP reply strictly; raise ``ReplyParseError`` naming the broken rule."""
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("ascii")
        except UnicodeDecodeError as error:
            raise ReplyParseError.of("error.reply.bytes_not_ascii", rule="text-characters",
                                     index=error.start, byte=text[error.start]) from None
    if not isinstance(text, str):
        raise ReplyParseError.of("error.reply.type", rule="reply-type", type=type(text).__name__)
    if text.strip() == "":
        raise ReplyParseError.of("error.reply.empty", rule="empty")
    raw_lines = _split_lines(text)
    code = None
    lines: list[str] = []
    for number, line in enumerate(raw_lines, start=1):
        this_code, separator, body = _check_line(line, number)
        if code is None:
            code = this_code
        elif this_code != code:
            raise ReplyParseError.of("error.reply.same_code", rule="same-code", line=number,
                                     code=this_code, first=code)
        last = number == len(raw_lines)
        if separator == "-" and last:
            raise ReplyParseError.of("error.reply.no_final_line", rule="no-final-line",
                                     line=number, code=this_code)
        if separator != "-" and not last:
            raise ReplyParseError.of("error.reply.text_after_final", rule="text-after-final-line",
                                     line=number, code=this_code)
        lines.append(body)
    assert code is not None
    return Reply(code=code, lines=tuple(lines))


# --- transcripts -------------------------------------------------------------------------------

#: Label for the reply that greets a new connection (it answers no command).
CONNECTION = "(connection)"
#: Codes a server may greet with (RFC 5321 §3.1, §4.2.2; 421 when it must refuse service).
_GREETING_CODES = (220, 421, 554)
#: Label for the reply after the lone "." that ends the message text.
END_OF_DATA = "(end of data)"


@dataclass(frozen=True)
class Exchange:
    """A server reply and the client line it answers (``CONNECTION`` for the greeting)."""

    command: str | None
    reply: Reply

    @property
    def verb(self) -> str:
        """The command word, e.g. 'EHLO', 'MAIL', 'AUTH'; 'AUTH' for lines inside an AUTH exchange."""
        return command_verb(self.command)


def command_verb(command: str | None) -> str:
    """The command word a transcript line starts with ('EHLO', 'MAIL', …); 'AUTH' for AUTH steps."""
    if command is None:
        return ""
    if command in (CONNECTION, END_OF_DATA):
        return command
    if command.startswith(_AUTH_STEP):
        return "AUTH"
    words = command.split(None, 1)
    return words[0].upper() if words else ""


#: Prefix given to a client line that answers a 334 challenge.
_AUTH_STEP = "(AUTH) "
#: Replies that answer only AUTH or a line inside it (RFC 4954 §4, §6).
_AUTH_ONLY = (235, 334, 535)


@dataclass(frozen=True)
class TranscriptLine:
    """One line of a dialogue: who sent it ('S' or 'C') and the text."""

    side: str
    text: str


@dataclass(frozen=True)
class Transcript:
    """A dialogue: every line in order, and every reply paired with the line it answers."""

    lines: tuple[TranscriptLine, ...]
    exchanges: tuple[Exchange, ...]

    @property
    def replies(self) -> tuple[Reply, ...]:
        return tuple(exchange.reply for exchange in self.exchanges)

    @property
    def auth_outcome(self) -> str:
        """'success' if an AUTH exchange ended in 235, 'failure' if one was refused, else 'none'.

        235 and 535 answer only AUTH (RFC 4954 §6), so they count even when the dialogue starts
        after the AUTH command, as a debug log often does.
        """
        outcome = "none"
        for exchange in self.exchanges:
            code = exchange.reply.code
            if code == 334 or (exchange.verb != "AUTH" and code not in (235, 535)):
                continue
            if code == 235:
                return "success"
            outcome = "failure"
        return outcome

    def to_frame(self):
        """One row per reply: the command it answers, its code, class, category and text."""
        import pandas as pd

        return pd.DataFrame(
            [
                {
                    "command": exchange.command,
                    "code": exchange.reply.code,
                    "enhanced": exchange.reply.enhanced,
                    "reply_class": exchange.reply.reply_class,
                    "category": exchange.reply.category,
                    "text": exchange.reply.text,
                }
                for exchange in self.exchanges
            ],
            columns=["command", "code", "enhanced", "reply_class", "category", "text"],
        )

    def annotated(self) -> tuple[tuple[str, str, str], ...]:
        """Each line as (side, text, note); the note decodes base64 inside AUTH, which is not encryption."""
        return tuple(_annotate(self.lines))

    def __str__(self) -> str:
        return "\n".join(f"{line.side}: {line.text}".rstrip() for line in self.lines)

    def __repr__(self) -> str:
        codes = " ".join(str(exchange.reply.code) for exchange in self.exchanges)
        return f"<Transcript: {len(self.lines)} lines; replies {codes}>"

    def _repr_html_(self) -> str:
        from . import cards
        from .i18n import get_language

        lang = get_language()
        return cards.wrap(cards.transcript_table(self, lang), lang, "transcript")


def _b64_note(payload: str) -> str:
    """What a base64 AUTH payload says in clear: base64 hides nothing. A zero byte (PLAIN's
    separator) shows as \\0, XOAUTH2's 0x01 separator as ^A (as Google's description writes it)."""
    if payload in ("*", "=", ""):
        return {"*": "* = cancel", "=": "= : empty response", "": "(empty line)"}[payload]
    try:
        raw = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        return "not base64"
    text = raw.decode("utf-8", errors="replace")
    return "base64 → " + text.replace("\x00", "\\0").replace("\x01", "^A")


def _annotate(lines: Iterable[TranscriptLine]):
    in_auth = False
    for line in lines:
        note = ""
        if line.side == "C":
            words = line.text.split(" ")
            if words[0].upper() == "AUTH":
                in_auth = True
                if len(words) >= 3:
                    note = _b64_note(words[2])
            elif in_auth:
                note = _b64_note(line.text)
        else:
            code = line.text[:3]
            if code == "334" and line.text[4:].strip():  # an empty 334 just says "go on"
                note = _b64_note(line.text[4:].strip())
            elif in_auth and line.text[3:4] != "-":
                in_auth = False
        yield line.side, line.text, note


def _transcript_lines(text: str) -> list[TranscriptLine]:
    lines = []
    for number, raw in enumerate(_split_lines(text), start=1):
        stripped = raw.strip()
        if not stripped:
            continue
        side = stripped[:2].upper()
        if side not in ("S:", "C:"):
            raise ReplyParseError.of("error.transcript.side", rule="transcript-side",
                                     line=number, start=stripped[:12])
        body = raw.lstrip()[2:]
        if body.startswith(" "):
            body = body[1:]
        lines.append(TranscriptLine(side=side[0], text=body))
    if not lines:
        raise ReplyParseError.of("error.transcript.empty", rule="empty")
    return lines


def parse_transcript(text: str) -> Transcript:
    """Parse a dialogue of ``S:``/``C:`` lines; every server reply must be well-formed."""
    if isinstance(text, Transcript):
        return text
    if not isinstance(text, str):
        raise ReplyParseError.of("error.transcript.type", rule="transcript-type",
                                 type=type(text).__name__)
    lines = _transcript_lines(text)
    pending: list[str] = []  # client lines that wait for a reply, oldest first
    exchanges: list[Exchange] = []
    in_data = False  # inside the message text after 354: client lines get no reply
    auth_step = False  # the next client line answers a 334 challenge
    buffer: list[tuple[int, str]] = []  # (line number, reply line) of a reply being read
    for number, line in enumerate(lines, start=1):
        if line.side == "C":
            if buffer:
                raise ReplyParseError.of("error.transcript.client_inside_reply",
                                         rule="no-final-line", line=number)
            if in_data:
                if line.text == ".":
                    in_data = False
                    pending.append(END_OF_DATA)
            elif auth_step:
                auth_step = False
                pending.append(_AUTH_STEP + line.text)
            else:
                pending.append(line.text)
            continue
        buffer.append((number, line.text))
        if line.text[3:4] == "-":
            continue  # a continuation line: the reply goes on
        try:
            reply = parse_reply("\n".join(text for _, text in buffer))
        except ReplyParseError as error:
            first = buffer[0][0]
            raise ReplyParseError.of("error.transcript.reply", rule=error.rule, line=first,
                                     error=error) from None
        buffer = []
        if pending:
            command: str | None = pending.pop(0)
        elif not exchanges and reply.code in _GREETING_CODES:
            command = CONNECTION
        else:
            command = None  # unsolicited (421 before closing), or a log that starts mid-way
        if reply.code in _AUTH_ONLY and command_verb(command) != "AUTH" and (
                command is None or reply.code == 334):
            # 334 (and, when the command is unknown, 235/535) belong to AUTH alone (RFC 4954).
            command = _AUTH_STEP + (command or "…")
        exchanges.append(Exchange(command=command, reply=reply))
        verb = command_verb(command)
        if verb == "DATA" and reply.code == 354:
            in_data = True
        auth_step = verb == "AUTH" and reply.code == 334
    if buffer:
        first = buffer[0][0]
        raise ReplyParseError.of("error.transcript.no_final_line", rule="no-final-line",
                                 line=first)
    return Transcript(lines=tuple(lines), exchanges=tuple(exchanges))
