"""Reading a damaged reply: what ``explain`` forgives and ``parse_reply`` refuses.

``parse_reply`` stays strict. ``read_reply`` tries it first; when it refuses, ``read_reply`` undoes
the damage pastes, logs and some servers do to a multi-line reply (lines joined into one, the final
line lost, the code dropped from continuation lines, lines over 512 octets, non-ASCII text) and
returns a ``Note`` for each repair, naming the rule that was broken.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .digits import ENHANCED_RE
from .errors import ReplyParseError
from .i18n import t
from .reply import MAX_LINE, Reply, parse_reply

_CODE = re.compile(r"([2-5][0-5][0-9])([ -]|$)")
_NON_ASCII = re.compile(r"[^\x00-\x7e]")


@dataclass(frozen=True)
class Note:
    """A message key and its values: one line of an explanation, written in the reader's language."""

    key: str
    values: tuple[tuple[str, object], ...] = ()

    def text(self, lang: str) -> str:
        """The note in ``lang``."""
        return t(self.key, lang, **dict(self.values))


def note(key: str, **values: object) -> Note:
    """A ``Note`` for ``key`` with ``values`` to fill in."""
    return Note(key, tuple(values.items()))


def _describe(char: str) -> str:
    return f"'{char}' (U+{ord(char):04X})"


def _split_joined(line: str, code: str, enhanced: str | None) -> list[str]:
    """'550-5.1.1 a 550-5.1.1 b 550 5.1.1 c' -> its three lines, split only where the code recurs."""
    follow = rf"{re.escape(enhanced)}(?:\s|$)" if enhanced else ""
    return re.split(rf" (?={code}[- ]{follow})", line)


def _masked(body: str) -> str:
    """The body with non-ASCII letters replaced and cut to the line limit, for the strict check."""
    body = _NON_ASCII.sub(lambda m: "?" if m.group(0).isprintable() else m.group(0), body)
    return body[: MAX_LINE - 6]


def read_reply(text: str) -> tuple[Reply, tuple[Note, ...]]:
    """Parse ``text`` strictly; if that fails, repair the usual damage and note each repair.

    Raises the strict parser's ``ReplyParseError`` when the text cannot be read even so.
    """
    try:
        return parse_reply(text), ()
    except ReplyParseError as error:
        strict_error = error
    lines = [line.strip() for line in text.replace("\r\n", "\n").split("\n")]
    lines = [line for line in lines if line]
    head = _CODE.match(lines[0]) if lines else None
    if head is None:
        raise strict_error
    code = head.group(1)
    first_text = lines[0][4:]
    enhanced = ENHANCED_RE.match(first_text)
    enhanced_code = enhanced.group(0) if enhanced and enhanced.group(1) == code[0] else None
    notes: list[Note] = []

    if len(lines) == 1 and head.group(2) == "-":
        parts = _split_joined(lines[0], code, enhanced_code)
        if len(parts) > 1:
            lines = parts
            notes.append(note("paste.note.joined", count=len(parts), code=code))

    bodies: list[str] = []
    dropped = False
    for index, line in enumerate(lines):
        match = _CODE.match(line)
        if match and match.group(1) == code:
            bodies.append(line[4:])
        elif index and enhanced_code and line.startswith(enhanced_code):
            bodies.append(line)  # the code was dropped, the enhanced code kept (Go, smtplib)
            dropped = True
        else:
            raise strict_error
    if dropped:
        notes.append(note("paste.note.codes_dropped", code=code))
    last_separator = lines[-1][3:4] if not dropped or _CODE.match(lines[-1]) else " "
    if last_separator == "-" and not any(n.key == "paste.note.joined" for n in notes):
        notes.append(note("paste.note.no_final", code=code))

    for number, body in enumerate(bodies, start=1):
        octets = len(code) + 1 + len(body.encode("utf-8")) + 2
        if octets > MAX_LINE:
            notes.append(note("paste.note.long_line", line=number, octets=octets, limit=MAX_LINE))
            break
    for body in bodies:
        strange = _NON_ASCII.search(body)
        if strange and strange.group(0).isprintable():
            notes.append(note("paste.note.non_ascii", char=_describe(strange.group(0))))
            break

    # What is left must pass the strict parser once the noted damage is masked.
    masked = [_masked(body) for body in bodies]
    last = len(masked) - 1
    try:
        parse_reply("\n".join(f"{code}{'-' if i < last else ' '}{body}"
                              for i, body in enumerate(masked)))
    except ReplyParseError:
        raise strict_error from None
    if not notes:
        raise strict_error
    return Reply(code=int(code), lines=tuple(bodies)), tuple(notes)
