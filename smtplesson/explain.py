"""The forgiving front door: ``explain`` turns whatever a learner pastes into a plain answer.

It accepts a reply, a transcript, a bare code, smtplib's ``(535, b'5.7.8 …')`` form or exception,
and what other programs print around a reply: tracebacks, library errors, mail logs, bounces and
debug logs (``paste.py``). ``parse_reply`` stays strict; ``repair.py`` reads a damaged reply with a
note for each repair; ``providers.py`` names the provider and its fix when it knows the text.
Text that fits none of these goes to the strict parser, so only ``ReplyParseError`` escapes.
"""

from __future__ import annotations

import ast
import base64
import binascii
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import cards
from .catalogue import EnhancedCode, ReplyCode, lookup, lookup_enhanced
from .digits import ENHANCED_RE
from .errors import ReplyParseError, told_in
from .i18n import check_language, t
from .providers import Provider, match_enhanced, match_provider
from .reply import (CONNECTION, END_OF_DATA, Reply, Transcript, command_verb, parse_reply,
                    parse_transcript)

if TYPE_CHECKING:  # paste.py and repair.py load only when a paste is not a plain reply
    from .paste import Found
    from .repair import Note

#: Pastes longer than this are refused before any parsing (a reply line is at most 512 octets).
MAX_INPUT = 100_000

_SMTPLIB_TUPLE = re.compile(r"\(\s*(\d{3})\s*,\s*(b?(['\"]).*\3)\s*\)", re.S)
_BYTES_LITERAL = re.compile(r"b(['\"]).*\1", re.S)
_IN_REPLY_TO = re.compile(r"\(in reply to ([^()]*?) command\)\s*$")


@dataclass(frozen=True)
class ExplainedReply:
    """One reply with its catalogue entry, its enhanced code decoded, and the command it answers."""

    reply: Reply
    entry: ReplyCode
    enhanced: EnhancedCode | None
    command: str | None = None
    notes: tuple[str, ...] = ()
    #: The known provider reply this one matches, if any (``providers.json``).
    provider: Provider | None = None
    #: What to do: the provider's fix, else the enhanced code's advice, else the code's how-to-fix.
    advice: str = ""

    def summary(self, lang: str | None = None) -> str:
        """One line: code, name and what it means for the client."""
        return f"{self.reply.code} {self.entry.name}: {t(f'gist.{self.reply.code // 100}', lang)}"


@dataclass(frozen=True)
class Explanation:
    """What a pasted reply or dialogue means, ready to print or to show as a card."""

    #: "reply", "transcript", "smtplib", "paste" (another program's text around a reply),
    #: "enhanced" (only an enhanced code was pasted) or "no-code" (the paste holds no reply).
    kind: str
    items: tuple[ExplainedReply, ...]
    transcript: Transcript | None = None
    lang: str = "en"
    #: Plain words for what was read, e.g. "a Laravel or Symfony Mailer error message"; "" for a reply.
    source: str = ""
    #: The enhanced code of a paste that kept no reply code ("enhanced" kind).
    enhanced: EnhancedCode | None = None
    #: For "enhanced" and "no-code": what can and cannot be known from the paste.
    detail: str = ""
    #: For "enhanced" and "no-code": what to do next.
    detail_advice: str = ""
    #: For "enhanced": the known provider reply the text matches, if any.
    provider: Provider | None = None
    #: For "enhanced" and "no-code": notes about what was read.
    notes: tuple[str, ...] = ()

    @property
    def reply(self) -> Reply:
        """The reply explained (for a transcript: the last one)."""
        if not self.items:
            raise ReplyParseError.of("error.explain.no_reply_code", rule="no-reply-code",
                                     detail=self.detail).in_language(self.lang)
        return self.items[-1].reply

    @property
    def deciding(self) -> ExplainedReply | None:
        """The reply that decides the verdict: the first refusal not undone later (the root cause;
        later refusals usually follow from it), else the last reply."""
        if not self.items:
            return None
        if self.transcript is None:
            return self.items[-1]
        return _first_unrecovered_failure(self.items) or self.items[-1]

    @property
    def advice(self) -> str:
        """What to do next, for the reply that decides the verdict."""
        item = self.deciding
        return item.advice if item is not None else self.detail_advice

    @property
    def verdict(self) -> str:
        """One sentence: what happened in the end."""
        if not self.items:
            return self.detail
        if self.transcript is None:
            return self.items[-1].summary(self.lang)
        delivered = [item for item in self.items if item.command == END_OF_DATA]
        if delivered and delivered[-1].reply.code == 250:
            return t("verdict.accepted", self.lang)
        failure = _first_unrecovered_failure(self.items)
        if failure is None:
            if self.transcript.auth_outcome == "success":
                return t("verdict.auth_ok", self.lang)
            return t("verdict.no_failure", self.lang)
        code, name = failure.reply.code, failure.entry.name
        if command_verb(failure.command) == "AUTH" or code == 535:
            if failure.command == "(AUTH) *":
                return t("verdict.auth_cancelled", self.lang)
            return t("verdict.auth_failed", self.lang, code=code, name=name)
        return t("verdict.refused", self.lang, code=code, name=name,
                 command=failure.command or "?")

    def __str__(self) -> str:
        return cards.explanation_text(self)

    def _repr_html_(self) -> str:
        return cards.explanation_html(self)


def _first_unrecovered_failure(items: tuple[ExplainedReply, ...]) -> ExplainedReply | None:
    """The first 4yz/5yz reply the client did not try again: the root cause.

    A command sent again later is judged by its later reply: a 538 to AUTH, then STARTTLS, then
    235 to AUTH is recovered, and a 538 followed by a 535 ends in the 535. Each RCPT TO names its
    own recipient, so only a later RCPT TO for the same address takes its place. When every
    RCPT TO is refused, DATA's 554 ("no valid recipients") follows from the first refusal,
    which is the one named.
    """
    for index, item in enumerate(items):
        if item.reply.code >= 400 and not any(_tried_again(item, later) for later in items[index + 1:]):
            return item
    return None


def _tried_again(item: ExplainedReply, later: ExplainedReply) -> bool:
    verb = command_verb(item.command)
    if verb != command_verb(later.command):
        return False
    if verb == "RCPT":
        return _address(item.command) == _address(later.command)
    return True


def _address(command: str | None) -> str:
    """The mailbox of an RCPT TO line, compared case-insensitively."""
    text = (command or "").partition(":")[2].strip()
    return text.split(" ", 1)[0].strip("<>").lower()


def _lookup_enhanced(code: str, lang: str) -> EnhancedCode:
    return lookup_enhanced(code, lang)


def _base64_json(text: str) -> str:
    """The decoded text of a 334 challenge when it is base64 of printable text (XOAUTH2 errors)."""
    try:
        decoded = base64.b64decode(text.strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return ""
    return decoded if decoded.isprintable() and decoded.startswith("{") else ""


def _explain_reply(reply: Reply, command: str | None, lang: str, paste_text: str = "",
                   notes: tuple[Note, ...] = ()) -> ExplainedReply:
    texts = [item.text(lang) for item in notes]
    enhanced = None
    enhanced_code = reply.enhanced
    if enhanced_code:
        enhanced = _lookup_enhanced(enhanced_code, lang)
    else:
        lookalike = ENHANCED_RE.match(reply.lines[0])
        if lookalike and int(lookalike.group(1)) != reply.code // 100:
            texts.append(t("note.enhanced_mismatch", lang, enhanced=lookalike.group(0),
                           code=reply.code))
    if reply.code == 334:
        decoded = _base64_json(reply.lines[0])
        if decoded:
            texts.append(t("explain.note.base64_json", lang, decoded=decoded))
        elif command is not None:
            texts.append(t("note.challenge", lang))
    entry = lookup(reply.code, lang)
    provider = match_provider(reply, paste_text)
    if provider is not None:
        texts.append(t("explain.note.code_decides", lang, code=reply.code))
        advice = provider.fix(lang)
    else:
        advice = getattr(enhanced, "advice", "") or entry.how_to_fix
    return ExplainedReply(reply=reply, entry=entry, enhanced=enhanced, command=command,
                          notes=tuple(texts), provider=provider, advice=advice)


def _bytes_text(message: bytes) -> str:
    """smtplib's bytes as text: UTF-8 (which US-ASCII is part of), so that a server's stray
    non-ASCII reaches the repair note; bytes that are not UTF-8 break the text-characters rule."""
    try:
        return message.decode("utf-8")
    except UnicodeDecodeError:
        raise ReplyParseError.of("error.explain.reply_text", rule="text-characters") from None


def _from_smtplib(code: int, message: bytes | str) -> str:
    """Rebuild the wire form of a reply from smtplib's (code, text): it drops each line's code."""
    if isinstance(message, bytes):
        message = _bytes_text(message)
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
        return _clean_paste(_bytes_text(value)) if value else ("", False)
    lines = [line.strip() for line in text.replace("\r\n", "\n").split("\n")]
    return "\n".join(line for line in lines if line), False


def _is_transcript(text: str) -> bool:
    return any(line.lstrip()[:2].upper() in ("S:", "C:") for line in text.split("\n"))


def explain(text: object, lang: str | None = None) -> Explanation:
    """Explain a reply, a transcript, a code, smtplib's ``(code, b'text')`` or exception, or a
    paste from another program (traceback, library error, mail log, bounce, debug log).

    Text that cannot be read raises ``ReplyParseError`` in ``lang``, naming the rule it breaks."""
    lang = check_language(lang)
    with told_in(lang):
        return _explain(text, lang)


def _explain(text: object, lang: str) -> Explanation:
    if isinstance(text, Explanation):
        return text
    if isinstance(text, Transcript):  # its lines, like a paste's, may name the provider's host
        return _explain_transcript(text, lang, paste_text=str(text))
    if isinstance(text, Reply):
        return Explanation(kind="reply", items=(_explain_reply(text, None, lang),), lang=lang)
    if isinstance(text, BaseException):
        # smtplib's exceptions print as "(535, b'…')", "{'bob@…': (550, b'…')}" or a message;
        # with their class name in front they read like the last line of a traceback.
        try:
            return _explain_text(f"{type(text).__name__}: {text}", lang)
        except ReplyParseError:
            if not isinstance(text, OSError):  # refused, timed out, TLS failed: no reply at all
                raise ReplyParseError.of("error.explain.exception_type", rule="explain-type",
                                         type=type(text).__name__) from None
            return Explanation(
                kind="no-code", items=(), lang=lang, source=t("paste.source.exception", lang),
                detail=t("paste.nocode.connection", lang, detail=f"{type(text).__name__}: {text}"),
                detail_advice=t("paste.nocode.connection.next", lang))
    if isinstance(text, tuple) and len(text) == 2 and isinstance(text[0], int):
        return _explain_wire(_from_smtplib(text[0], text[1]), lang, kind="smtplib",
                             source=t("paste.source.python", lang))
    if isinstance(text, int) and not isinstance(text, bool):
        text = str(text)
    elif isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError:
            raise ReplyParseError.of("error.explain.not_text", rule="text-characters") from None
    if not isinstance(text, str):
        raise ReplyParseError.of("error.explain.type", rule="explain-type",
                                 type=type(text).__name__)
    return _explain_text(text, lang)


def _explain_text(text: str, lang: str) -> Explanation:
    if len(text) > MAX_INPUT:
        raise ReplyParseError.of("error.explain.too_long", rule="too-long", length=len(text))
    try:
        cleaned, from_smtplib = _clean_paste(text)
    except ReplyParseError:
        raise
    except (ValueError, SyntaxError, UnicodeDecodeError, MemoryError, RecursionError):
        raise ReplyParseError.of("error.explain.smtplib_form", rule="smtplib-form") from None
    if from_smtplib:
        return _explain_wire(cleaned, lang, kind="smtplib", source=t("paste.source.python", lang))
    if _is_transcript(cleaned):
        try:
            return _explain_transcript(parse_transcript(cleaned), lang, paste_text=text)
        except ReplyParseError as error:
            from . import paste

            found = paste.find_dialogue(text.replace("\r\n", "\n"), minimum=1)
            if found is None:
                raise error from None
            return _from_found(found, text, lang)
    strict_error: ReplyParseError | None = None
    if cleaned[:3].isdigit():
        try:
            reply = parse_reply(cleaned)
        except ReplyParseError as error:
            strict_error = error
        else:
            said = _IN_REPLY_TO.search(cleaned)
            command = said.group(1) if said else None
            return Explanation(kind="reply", items=(_explain_reply(reply, command, lang, text),),
                               lang=lang)
        from .repair import read_reply

        try:
            reply, notes = read_reply(cleaned)
        except ReplyParseError:
            pass
        else:
            return Explanation(kind="reply",
                               items=(_explain_reply(reply, None, lang, text, notes),), lang=lang)
    from . import paste

    found = paste.find(text)
    if found is not None:
        try:
            return _from_found(found, text, lang)
        except ReplyParseError:
            retry = paste.find(text, dialogues=False) if found.dialogue else None
            if retry is None:
                if strict_error is not None:
                    raise strict_error from None
                raise
            return _from_found(retry, text, lang)
    if strict_error is not None:
        raise strict_error
    parse_reply(cleaned)  # raises, naming the rule the text breaks
    raise ReplyParseError.of("error.explain.no_reply", rule="no-reply")  # not reached


def _explain_wire(wire: str, lang: str, kind: str, source: str = "", command: str | None = None,
                  paste_text: str = "", notes: tuple[Note, ...] = ()) -> Explanation:
    from .repair import read_reply

    reply, repairs = read_reply(wire)
    item = _explain_reply(reply, command, lang, paste_text or wire, notes + repairs)
    return Explanation(kind=kind, items=(item,), lang=lang, source=source)


def _from_found(found: Found, text: str, lang: str) -> Explanation:
    """An explanation of what a recogniser took out of the paste."""
    source = t(f"paste.source.{found.family}", lang)
    if found.no_code:
        return Explanation(kind="no-code", items=(), lang=lang, source=source,
                           detail=t(found.no_code, lang, detail=found.detail),
                           detail_advice=t(f"{found.no_code}.next", lang),
                           notes=tuple(item.text(lang) for item in found.notes))
    if found.enhanced:
        return _explain_enhanced_only(found, text, lang, source)
    if found.dialogue:
        return _explain_transcript(parse_transcript(found.dialogue), lang, source, text)
    kind = "smtplib" if found.family == "python" else "paste"
    return _explain_wire(found.reply, lang, kind, source, found.command, text, found.notes)


def _explain_enhanced_only(found: Found, text: str, lang: str, source: str) -> Explanation:
    """What can and cannot be known from an enhanced code without its reply code."""
    enhanced = _lookup_enhanced(found.enhanced, lang)
    first = int(found.enhanced[0])
    pairs = " ".join(str(code) for code in enhanced.basic_codes)
    detail = t("explain.enhanced_only", lang, enhanced=found.enhanced, first=first,
               reply_class=t(f"class.{first}", lang), gist=t(f"gist.{first}", lang),
               meaning=enhanced.meaning,
               codes=pairs or t("explain.enhanced_any_code", lang, first=first))
    provider = match_enhanced(found.enhanced, f"{found.enhanced} {found.detail}", text)
    notes = [item.text(lang) for item in found.notes]
    if provider is not None:
        notes.append(t("explain.note.code_decides", lang, code=found.enhanced))
        advice = provider.fix(lang)
    else:
        advice = getattr(enhanced, "advice", "") or t(f"advice.{first}", lang)
    return Explanation(kind="enhanced", items=(), lang=lang, source=source, enhanced=enhanced,
                       detail=detail, detail_advice=advice, provider=provider, notes=tuple(notes))


def _explain_transcript(transcript: Transcript, lang: str, source: str = "",
                        paste_text: str = "") -> Explanation:
    items = tuple(
        _explain_reply(exchange.reply, exchange.command, lang, paste_text)
        for exchange in transcript.exchanges
    )
    if not items:
        raise ReplyParseError.of("error.explain.no_server_reply", rule="no-reply")
    return Explanation(kind="transcript", items=items, transcript=transcript, lang=lang,
                       source=source)


__all__ = ["Explanation", "ExplainedReply", "explain", "CONNECTION", "END_OF_DATA"]
