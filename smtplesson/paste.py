"""Finding the SMTP reply in what people paste: tracebacks, library errors, mail logs, bounces.

A learner pastes what their program or server printed, not a clean reply. ``find`` runs a table of
recognisers, one per family (Python's smtplib, nodemailer, PHPMailer, Symfony Mailer, Jakarta
Mail, .NET, Ruby, Postfix, Exim, Sendmail, Exchange, delivery status notifications, debug logs of
whole dialogues), and returns what the first one that fits took out: the reply (or the dialogue),
the command it answered when the paste names it, and notes. Text no recogniser knows is left to
the strict parser.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Callable

from .digits import ENHANCED_RE
from .lazyre import LazyPattern as _lazy
from .repair import Note, note
from .reply import CONNECTION, END_OF_DATA

_LITERAL_ERRORS = (ValueError, SyntaxError, TypeError, MemoryError, RecursionError)
#: A line that starts like a reply line: a code, then a space, a hyphen or the end.
_REPLY_LINE = _lazy(r"[2-5][0-5][0-9](?:[ -]|$)")
_ENHANCED_AT = _lazy(r"([245])\.(?:0|[1-9][0-9]{0,2})\.(?:0|[1-9][0-9]{0,2})(?=[\s.,;:)]|$)")


@dataclass(frozen=True)
class Found:
    """What a recogniser took out of a paste."""

    family: str
    #: The reply, code first on each line ("" when the paste holds none).
    reply: str = ""
    #: Or a whole dialogue, as ``S:``/``C:`` lines.
    dialogue: str = ""
    #: The command the reply answered, when the paste names it.
    command: str | None = None
    #: An enhanced code the paste kept without its reply code (.NET, MailKit, DSN ``Status:``).
    enhanced: str = ""
    #: The text after that enhanced code, or what the paste says happened when there is no code.
    detail: str = ""
    #: Message key for a paste that holds no reply code at all.
    no_code: str = ""
    notes: tuple[Note, ...] = ()


@dataclass(frozen=True)
class Recogniser:
    """One family of pastes: a compiled pattern and the function that reads a match."""

    family: str
    pattern: _lazy
    read: Callable[[re.Match, str], Found | None]
    #: Lower-case words one of which the paste must contain before the pattern is tried (speed).
    hints: tuple[str, ...] = ()
    #: Use the last match (a traceback ends with the exception raised) instead of the first.
    last: bool = False


# --- helpers -------------------------------------------------------------------------------------

def _unescape(text: str) -> str:
    """Turn escaped line ends (from JSON, JavaScript, PHP or Exim logs) back into line ends."""
    if "\\n" in text or "\\r" in text:
        text = text.replace("\\r\\n", "\n").replace("\\n", "\n").replace("\\r", "")
    return text.replace("\r", "")


def _reply_lines(first: str, after: str) -> str:
    """The reply that starts with ``first``, with the reply lines that follow it in ``after``."""
    first = first.strip()
    code = first[:3]
    lines = [first]
    if first[3:4] == "-":
        for line in after.split("\n")[1:]:
            line = line.strip()
            if line[:3] != code or not _REPLY_LINE.match(line):
                break
            lines.append(line)
            if line[3:4] != "-":
                break
    return "\n".join(lines)


def _rest(match: re.Match, text: str, group: str = "reply") -> str:
    """The reply captured by ``group`` plus the continuation lines after the match."""
    return _reply_lines(match.group(group), text[match.start(group):])


def _decode(value: bytes | str) -> str:
    """smtplib's bytes as text: UTF-8 (non-ASCII is noted later), or raise for other bytes."""
    if isinstance(value, bytes):
        return value.decode("utf-8")
    return value


def _smtplib_wire(code: int, message: str) -> str:
    """Rebuild a reply from smtplib's (code, text): smtplib drops each line's code."""
    parts = message.split("\n") if message else [""]
    last = len(parts) - 1
    return "\n".join(f"{code}{'-' if i < last else ' '}{part}" for i, part in enumerate(parts))


def _literal(text: str):
    try:
        return ast.literal_eval(text)
    except _LITERAL_ERRORS:
        return None


# --- Python's smtplib ------------------------------------------------------------------------------

#: The smtplib exception, the command it implies, and the key for exceptions that carry no code.
_PYTHON_COMMANDS = {
    "SMTPAuthenticationError": "AUTH",
    "SMTPSenderRefused": "MAIL FROM",
    "SMTPRecipientsRefused": "RCPT TO",
    "SMTPConnectError": CONNECTION,
    "SMTPHeloError": "EHLO",
}
_PYTHON_NO_CODE = {
    "SMTPServerDisconnected": "paste.nocode.disconnected",
    "SMTPNotSupportedError": "paste.nocode.not_supported",
    "SMTPException": "paste.nocode.smtplib",
}
_PY_TUPLE = _lazy(
    r"\(\s*(?P<code>[2-5][0-9][0-9])\s*,\s*(?P<body>b?(?:'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"))"
    r"(?:\s*,\s*(?P<extra>b?(?:'[^'\n]*'|\"[^\"\n]*\")))?\s*\)")
_PY_NAME = _lazy(r"\b(SMTP(?:[A-Z][A-Za-z]*)?(?:Error|Refused|Exception|Disconnected))\b")


def _python_reply(name: str, code: int, body, extra, notes: list[Note]) -> Found | None:
    try:
        message = _decode(body)
    except UnicodeDecodeError:
        return None
    command = _PYTHON_COMMANDS.get(name)
    if name == "SMTPSenderRefused" and isinstance(extra, str):
        command = f"MAIL FROM:<{extra}>"
    if name == "SMTPDataError":
        notes.append(note("paste.note.data_error"))
    return Found("python", reply=_smtplib_wire(code, message), command=command, notes=tuple(notes))


def _read_python(match: re.Match, text: str) -> Found | None:
    name, payload = match.group("exc"), match.group("payload").strip()
    if payload.startswith("{"):
        recipients = _literal(payload)
        if isinstance(recipients, dict) and recipients:
            items = [(address, value) for address, value in recipients.items()
                     if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], int)]
            if items and 200 <= items[0][1][0] <= 599:
                address, (code, body) = items[0]
                notes = []
                if len(items) > 1:
                    others = ", ".join(f"{a} ({v[0]})" for a, v in items[1:])
                    notes.append(note("paste.note.recipients", count=len(items), address=address,
                                      others=others))
                found = _python_reply(name, code, body, None, notes)
                if found is not None:
                    return Found("python", reply=found.reply, command=f"RCPT TO:<{address}>",
                                 notes=found.notes)
        return None
    tuple_match = _PY_TUPLE.match(payload)
    if tuple_match:
        body = _literal(tuple_match.group("body"))
        extra = _literal(tuple_match.group("extra")) if tuple_match.group("extra") else None
        if body is not None:
            return _python_reply(name, int(tuple_match.group("code")), body, extra, [])
        return None
    if name in _PYTHON_NO_CODE:
        return Found("python", no_code=_PYTHON_NO_CODE[name], detail=payload or name)
    return None


def _read_python_tuple(match: re.Match, text: str) -> Found | None:
    """smtplib's ``(535, b'…')`` anywhere, e.g. on a Django error page or in a log line."""
    body = _literal(match.group("body"))
    if body is None:
        return None
    names = _PY_NAME.findall(text[: match.start()])
    extra = _literal(match.group("extra")) if match.group("extra") else None
    return _python_reply(names[-1] if names else "", int(match.group("code")), body, extra, [])


# --- other languages' mail libraries ---------------------------------------------------------------

_NODEMAILER_COMMANDS = {
    "Invalid login": "AUTH",
    "Mail command failed": "MAIL FROM",
    "Recipient command failed": "RCPT TO",
    "Can't send mail - all recipients were rejected": "RCPT TO",
    "Data command failed": "DATA",
    "Message failed": END_OF_DATA,
}
_JS_STRINGS = _lazy(r"response:\s*(?P<js>'(?:[^'\\\n]|\\.)*'(?:\s*\+\s*'(?:[^'\\\n]|\\.)*')*)")
_JS_COMMAND = _lazy(r"command:\s*'(?P<command>[^'\n]*)'")


def _read_nodemailer(match: re.Match, text: str) -> Found | None:
    what = match.group("what")
    if what == "Greeting never received":
        return Found("nodemailer", no_code="paste.nocode.greeting", detail=what)
    response = _JS_STRINGS.search(text, match.end())
    if response:
        pieces = re.findall(r"'((?:[^'\\\n]|\\.)*)'", response.group("js"))
        reply = _unescape("".join(pieces).replace("\\'", "'")).strip()
    elif match.group("reply"):
        reply = _rest(match, text)
    else:
        return None
    command_match = _JS_COMMAND.search(text, match.end())
    command = command_match.group("command") if command_match else _NODEMAILER_COMMANDS[what]
    return Found("nodemailer", reply=reply, command=command)


_PHPMAILER_COMMANDS = {
    "PASSWORD": "AUTH", "USERNAME": "AUTH", "AUTH": "AUTH", "MAIL FROM": "MAIL FROM",
    "RCPT TO": "RCPT TO", "DATA": "DATA", "DATA END": END_OF_DATA, "STARTTLS": "STARTTLS",
    "EHLO": "EHLO", "HELO": "HELO", "RSET": "RSET", "QUIT": "QUIT",
}


def _read_phpmailer(match: re.Match, text: str) -> Found | None:
    command = _PHPMAILER_COMMANDS.get(match.group("what").upper(), match.group("what"))
    return Found("phpmailer", reply=_unescape(_rest(match, text)), command=command)


def _read_phpmailer_info(match: re.Match, text: str) -> Found | None:
    enhanced = f"{match.group('enhanced')} " if match.group("enhanced") else ""
    reply = f"{match.group('code')} {enhanced}{match.group('detail').strip()}"
    command = _PHPMAILER_COMMANDS.get(match.group("what").upper(), match.group("what"))
    return Found("phpmailer", reply=reply, command=command,
                 notes=(note("paste.note.rebuilt"),))


_EXPECTED_COMMANDS = {"235": "AUTH", "334": "AUTH", "354": "DATA", "250/251/252": "RCPT TO",
                      "221": "QUIT"}
_AUTHENTICATOR = _lazy(r'Authenticator "?(?P<mechanism>[A-Z0-9-]+)"? returned')


def _read_symfony(match: re.Match, text: str) -> Found | None:
    family = "symfony" if match.group("quote") else "swiftmailer"
    if match.group("reply") is None:
        return Found(family, no_code="paste.nocode.empty_response",
                     detail=match.group("expected"))
    reply = _unescape(match.group("reply")).replace('\\"', '"').strip()
    mechanisms = _AUTHENTICATOR.findall(text[: match.start()])
    command = (f"AUTH {mechanisms[-1]}" if mechanisms
               else _EXPECTED_COMMANDS.get(match.group("expected")))
    return Found(family, reply=reply, command=command)


_JAVA_COMMANDS = {
    "AuthenticationFailedException": "AUTH",
    "SMTPSenderFailedException": "MAIL FROM",
    "SMTPAddressFailedException": "RCPT TO",
}
_JAVA_PRIORITY = ("SMTPAddressFailedException", "SMTPSenderFailedException",
                  "AuthenticationFailedException")


def _read_java(match: re.Match, text: str) -> Found | None:
    # Jakarta Mail nests the specific exception inside a general one: prefer the specific one.
    matches = list(_JAVA.finditer(text))
    best = min(matches, key=lambda m: _JAVA_PRIORITY.index(m.group("name"))
               if m.group("name") in _JAVA_PRIORITY else len(_JAVA_PRIORITY))
    return Found("java", reply=_unescape(_rest(best, text)),
                 command=_JAVA_COMMANDS.get(best.group("name")))


#: .NET's SmtpException keeps the server's text but not its code; each sentence it puts in front
#: belongs to one SmtpStatusCode (dotnet/runtime, System.Net.Mail, SmtpException.GetMessageForStatus).
#: "Mailbox unavailable." is used for both 450 and 550: the enhanced code's class decides.
_DOTNET_SENTENCES = {
    "Service not available, closing transmission channel.": (421,),
    "Mailbox unavailable.": (450, 550),
    "Error in processing.": (451,),
    "Insufficient system storage.": (452,),
    "Client does not have permission to submit mail to this server.": (454,),
    "Syntax error in parameters or arguments.": (501,),
    "Command not implemented.": (502,),
    "Bad sequence of commands.": (503,),
    "Command parameter not implemented.": (504,),
    "The SMTP server requires a secure connection or the client was not authenticated.": (530,),
    "User not local; please try a different path.": (551,),
    "Exceeded storage allocation.": (552,),
    "Mailbox name not allowed.": (553,),
    "Transaction failed.": (554,),
}


def _enhanced_only(family: str, text: str, command: str | None = None,
                   notes: tuple[Note, ...] = ()) -> Found | None:
    text = text.strip()
    enhanced = ENHANCED_RE.match(text)
    if enhanced is None or not _ENHANCED_AT.match(text):
        return None
    return Found(family, enhanced=enhanced.group(0), detail=text[enhanced.end():].strip(),
                 command=command, notes=notes)


def _read_dotnet(match: re.Match, text: str) -> Found | None:
    sentence, server_text = match.group("sentence").strip(), match.group("text").strip()
    if _REPLY_LINE.match(server_text):
        return Found("dotnet", reply=server_text)
    enhanced = ENHANCED_RE.match(server_text)
    codes = _DOTNET_SENTENCES.get(sentence, ())
    if enhanced:
        codes = tuple(code for code in codes if code // 100 == int(enhanced.group(1)))
    if len(codes) == 1:
        return Found("dotnet", reply=f"{codes[0]} {server_text}",
                     notes=(note("paste.note.dotnet", sentence=sentence, code=codes[0]),))
    return _enhanced_only("dotnet", server_text)


def _read_mailkit(match: re.Match, text: str) -> Found | None:
    server_text = match.group("text").strip()
    command = "AUTH" if match.group("auth") else None
    if _REPLY_LINE.match(server_text):
        return Found("mailkit", reply=server_text, command=command)
    return _enhanced_only("mailkit", server_text, command)


def _read_ruby(match: re.Match, text: str) -> Found | None:
    reply = _unescape(_rest(match, text)).rstrip()
    if match.group("paren"):
        reply = re.sub(r"\)?:?\s*$", "", reply)
    command = "AUTH" if match.group("exc") == "SMTPAuthenticationError" else None
    return Found("ruby", reply=reply, command=command)


def _read_ruby_old(match: re.Match, text: str) -> Found | None:
    command = "AUTH" if match.group("exc") == "SMTPAuthenticationError" else None
    return Found("ruby", reply=match.group("reply").strip(), command=command)


# --- mail server logs and bounce reports --------------------------------------------------------------

def _unfold(text: str) -> str:
    """Join lines that continue a log or header line (they start with white space)."""
    return re.sub(r"\n[ \t]+", " ", text)


def _log_command(said: str | None, to: str | None = None) -> str | None:
    if said is None:
        return None
    said = said.strip()
    upper = said.upper()
    if upper in ("END OF DATA", "END-OF-MESSAGE"):
        return END_OF_DATA
    if upper in ("RCPT TO", "RCPT") and to:
        return f"RCPT TO:<{to}>"
    return {"RCPT": "RCPT TO", "MAIL": "MAIL FROM", "CONNECT": CONNECTION}.get(upper, said)


def _read_postfix_said(match: re.Match, text: str) -> Found | None:
    reply = re.sub(r"\s*\n\s*", " ", match.group("reply")).strip()
    said = match.group("command")
    to = re.search(r"\bto=<([^>\n]*)>", text[: match.start()])
    command = _log_command(re.sub(r"\s+", " ", said) if said else None, to.group(1) if to else None)
    line_start = text.rfind("\n", 0, match.start()) + 1
    if command is None and "SASL authentication failed" in text[line_start: match.start()]:
        command = "AUTH"
    return Found("postfix", reply=_unescape(reply), command=command)


def _read_postfix_reject(match: re.Match, text: str) -> Found | None:
    stage = match.group("stage")
    line_end = text.find("\n", match.end())
    line = text[match.start(): line_end if line_end >= 0 else len(text)]
    to = re.search(r"\bto=<([^>]*)>", line)
    sender = re.search(r"\bfrom=<([^>]*)>", line)
    command = {"RCPT": f"RCPT TO:<{to.group(1)}>" if to else "RCPT TO",
               "MAIL": f"MAIL FROM:<{sender.group(1)}>" if sender else "MAIL FROM",
               "END-OF-MESSAGE": END_OF_DATA, "CONNECT": CONNECTION}.get(stage, stage)
    return Found("postfix", reply=match.group("reply").strip(), command=command)


def _read_postfix_sasl(match: re.Match, text: str) -> Found | None:
    reason = match.group("reason").strip()
    if reason == "(reason unavailable)":
        reason = ""
    mechanism = match.group("mechanism")
    reply = f"535 5.7.8 Error: authentication failed: {reason}".rstrip()
    return Found("postfix_sasl", reply=reply, command=f"AUTH {mechanism}",
                 notes=(note("paste.note.sasl_log", reason=reason or "…"),))


def _read_exim(match: re.Match, text: str) -> Found | None:
    command = match.group("command").strip()
    command = re.sub(r"^pipelined ", "", command)
    command = {"end of data": END_OF_DATA, "initial connection": CONNECTION}.get(command, command)
    return Found("exim", reply=_unescape(_rest(match, text)), command=command)


def _read_exim_auth(match: re.Match, text: str) -> Found | None:
    return Found("exim", reply=match.group("reply").strip(),
                 command=f"AUTH {match.group('authenticator').upper()}")


def _read_sendmail_stat(match: re.Match, text: str) -> Found | None:
    return Found("sendmail", reply=match.group("reply").strip())


def _read_exchange(match: re.Match, text: str) -> Found | None:
    inner = match.group("inner").strip()
    smtp = re.search(r"smtp;\s*([2-5][0-9][0-9][ -].*)", inner)
    if smtp:
        return Found("exchange", reply=smtp.group(1).rstrip(">").strip())
    if _REPLY_LINE.match(inner):
        return Found("exchange", reply=inner)
    hashed = re.search(r"#([245]\.\d{1,3}\.\d{1,3})\b\s*(.*)", inner)
    if hashed:
        return _enhanced_only("exchange", f"{hashed.group(1)} {hashed.group(2)}")
    return None


def _read_exchange_hash(match: re.Match, text: str) -> Found | None:
    return Found("exchange", reply=match.group("reply").strip())


def _read_dsn(match: re.Match, text: str) -> Found | None:
    value = _unfold(text[match.start("value"):])
    value = value.split("\n", 1)[0].strip()
    if _REPLY_LINE.match(value):
        return Found("dsn", reply=value)
    return None


def _read_dsn_status(match: re.Match, text: str) -> Found | None:
    return _enhanced_only("dsn", f"{match.group('status')} {match.group('comment') or ''}")


# --- dialogues -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DialogueFormat:
    """How one kind of debug log marks the server's and the client's lines."""

    family: str
    pattern: _lazy  # groups: side, text, and optionally session
    server: frozenset[str]
    #: Lower-case words one of which the paste must contain before its lines are read (speed).
    hints: tuple[str, ...] = ()
    bytes_literal: bool = False


DIALOGUE_FORMATS = (
    DialogueFormat(
        "phpmailer_debug",
        _lazy(r"(?P<side>SERVER -> CLIENT|CLIENT -> SERVER): ?(?P<text>.*)$"),
        frozenset({"SERVER -> CLIENT"}), hints=("server -> client",)),
    DialogueFormat(
        "smtplib_debug",
        _lazy(r"^(?:[\d:.]+ )?(?P<side>send|reply): (?P<text>b?(?:'.*'|\".*\"))\s*$"),
        frozenset({"reply"}), hints=("reply: ",), bytes_literal=True),
    DialogueFormat(
        "postfix_debug",
        _lazy(r"postfix/\S+\[\d+\]: (?P<side>[<>]) \S+\[[^\]\s]*\](?::\d+)?:(?: (?P<text>.*))?$"),
        frozenset({"<"}), hints=("postfix/",)),
    DialogueFormat(
        "sendmail_transcript",
        _lazy(r"^\s*(?P<side><<<|>>>) (?P<text>.*)$"),
        frozenset({"<<<"}), hints=("<<< ",)),
    DialogueFormat(
        "swaks",
        _lazy(r"^\s*(?P<side><-|<\*\*|<~|<~\*|->|~>|\*\*>)\s{1,2}(?P<text>\S.*)$"),
        frozenset({"<-", "<**", "<~", "<~*"}), hints=("<-", "<**", "<~")),
    DialogueFormat(
        "got_sent",
        _lazy(r"^(?:.*\s)?(?P<side>Got|Sent): (?P<text>.*)$"),
        frozenset({"Got"}), hints=("got: ",)),
    DialogueFormat(
        "debug_log",
        _lazy(r"^(?:.*?\S\s+)?(?:\[(?P<session>[\w-]{4,})\]\s+)?(?P<side>[SC]): ?(?P<text>.*)$"),
        frozenset({"S"}), hints=("\ns: ", " s: ", "\ts: ")),
)


def _dialogue_lines(text: str, fmt: DialogueFormat) -> list[tuple[str, str, str | None]]:
    """(side 'S' or 'C', text, session) for each line of ``text`` in format ``fmt``."""
    out: list[tuple[str, str, str | None]] = []
    open_reply = False  # the last server line ended with 'NNN-': more lines belong to it
    for raw in text.split("\n"):
        match = fmt.pattern.search(raw)
        if match is None:
            line = raw.strip()
            if open_reply and _REPLY_LINE.match(line):
                out.append(("S", line, out[-1][2]))
                open_reply = line[3:4] == "-"
            continue
        side = "S" if match.group("side") in fmt.server else "C"
        body = match.group("text") or ""
        if fmt.bytes_literal:
            value = _literal(body)
            if not isinstance(value, (bytes, str)):
                continue
            try:
                body = _decode(value)
            except UnicodeDecodeError:
                continue
        session = match.groupdict().get("session")
        for part in body.replace("\r\n", "\n").rstrip("\n").split("\n"):
            part = part.rstrip("\r")
            if side == "S" and not _REPLY_LINE.match(part):
                continue
            out.append((side, part, session))
        open_reply = side == "S" and bool(out) and out[-1][0] == "S" and out[-1][1][3:4] == "-"
    return out


def _hinted(hints: tuple[str, ...], lowered: str) -> bool:
    if not hints:
        return True
    for hint in hints:  # a plain loop: this runs for every recogniser on every paste
        if hint in lowered:
            return True
    return False


def find_dialogue(text: str, minimum: int, lowered: str = "") -> Found | None:
    """A debug log of a dialogue (at least ``minimum`` marked lines, one a server reply)."""
    lowered = lowered or "\n" + text.lower()
    best: tuple[int, DialogueFormat, list] | None = None
    for fmt in DIALOGUE_FORMATS:
        if not _hinted(fmt.hints, lowered):
            continue
        lines = _dialogue_lines(text, fmt)
        if sum(side == "S" for side, _, _ in lines) and len(lines) >= minimum:
            if best is None or len(lines) > best[0]:
                best = (len(lines), fmt, lines)
    if best is None:
        return None
    _, fmt, lines = best
    sessions = [session for side, _, session in lines if side == "S" and session]
    if sessions:  # several connections interleaved: keep the one that ends the log
        lines = [line for line in lines if line[2] == sessions[-1]]
    dialogue = "\n".join(f"{side}: {body}".rstrip() for side, body, _ in lines)
    return Found(fmt.family, dialogue=dialogue)


# --- the weak fall-backs ------------------------------------------------------------------------------

def _read_embedded(match: re.Match, text: str) -> Found | None:
    code, enhanced = match.group("code"), match.group("enhanced")
    if enhanced and enhanced[0] != code[0]:
        return None
    line_end = text.find("\n", match.start())
    first = text[match.start(): line_end if line_end >= 0 else len(text)]
    lines = [first.strip()]
    if enhanced:  # lines that follow and start with the code or the enhanced code belong to it
        for line in text[match.start():].split("\n")[1:]:
            line = line.strip()
            if line.startswith(enhanced) or (line[:3] == code and _REPLY_LINE.match(line)):
                lines.append(line)
            else:
                break
    family = "go" if len(lines) > 1 and lines[1].startswith(enhanced or "\0") else "embedded"
    return Found(family, reply=_unescape("\n".join(lines)))


# --- the table ------------------------------------------------------------------------------------------

_JAVA = _lazy(
    r"(?:(?:javax|jakarta)\.mail|com\.sun\.mail\.smtp|org\.eclipse\.angus\.mail\.smtp)\."
    r"(?:\w+\.)*(?P<name>\w+Exception):\s*(?P<reply>[2-5][0-9][0-9](?:[ -][^\n]*)?)")

_CODE = r"[2-5][0-9][0-9]"
_ENHANCED = r"[245]\.\d{1,3}\.\d{1,3}"

#: The families, most specific first; each names the words its paste must contain (its hints).
RECOGNISERS: tuple[Recogniser, ...] = (
    Recogniser(
        "python",
        _lazy(r"(?P<exc>SMTP(?:[A-Z][A-Za-z]*)?(?:Error|Refused|Exception|Disconnected))"
              r"(?: at [^\n]*)?:[ \t]*(?P<payload>[^\n]*)"),
        _read_python, hints=("smtp",), last=True),
    Recogniser(
        "nodemailer",
        _lazy(r"(?P<what>Invalid login|Mail command failed|Recipient command failed"
              r"|Data command failed|Message failed|Can't send mail - all recipients were rejected"
              rf"|Greeting never received)(?::[ \t]*(?P<reply>{_CODE}(?:[ -][^\n]*)?))?"),
        _read_nodemailer,
        hints=("invalid login", "command failed", "message failed", "were rejected", "greeting never")),
    Recogniser(
        "phpmailer",
        _lazy(r"SMTP server error: (?P<what>[A-Za-z][A-Za-z ]*?) command failed Detail: "
              rf"(?P<detail>.*?) SMTP code: (?P<code>{_CODE})"
              rf"(?: Additional SMTP info: (?P<enhanced>{_ENHANCED}))?"),
        _read_phpmailer_info, hints=("smtp server error:",)),
    Recogniser(
        "phpmailer",
        _lazy(rf"SMTP ERROR: (?P<what>[A-Za-z][A-Za-z ]*?) command failed: (?P<reply>{_CODE}[^\n]*)"),
        _read_phpmailer, hints=("smtp error:",)),
    Recogniser(
        "symfony",
        _lazy(r"Expected response code (?P<quote>\\?\"?)(?P<expected>\d{3}(?:/\d{3})*)(?P=quote) but got "
              r"(?:code \\?\"\d{3}\\?\", with message \\?\"(?P<reply>.*?)\\?\""
              r"(?=\.?(?:\s|$|\\|\"|\)|,))|an empty response)", re.S),
        _read_symfony, hints=("expected response code",), last=True),
    Recogniser("java", _JAVA, _read_java,
               hints=("javax.mail", "jakarta.mail", "sun.mail", "angus.mail")),
    Recogniser(
        "mailkit",
        _lazy(r"MailKit\.(?:Net\.Smtp\.SmtpCommandException|Security\.(?P<auth>AuthenticationException))"
              r":\s*(?:[A-Za-z]+:\s*)?(?P<text>[^\n]*)"),
        _read_mailkit, hints=("mailkit.",)),
    Recogniser(
        "dotnet",
        _lazy(r"Smtp\w*Exception\b[^:\n]*:\s*(?P<sentence>[^\n]*?)\s*The server response was:\s*"
              r"(?P<text>[^\n]*)"),
        _read_dotnet, hints=("the server response was",)),
    Recogniser(
        "ruby",
        _lazy(rf"Net::(?P<exc>SMTP\w+)(?::\s*|\s*(?P<paren>\())(?P<reply>{_CODE}(?:[ -][^\n]*)?)"),
        _read_ruby, hints=("net::smtp",)),
    Recogniser(
        "ruby",
        _lazy(rf"(?P<reply>{_CODE}[ -][^\n]*?)\s*\(Net::(?P<exc>SMTP\w+)\)"),
        _read_ruby_old, hints=("net::smtp",)),
    Recogniser(
        "postfix",
        _lazy(rf"(?:host|server) \S+?\[[^\]\s]*\](?::\d+)? said:\s+(?P<reply>{_CODE}(?:[^\n]|\n[ \t])*?)"
              r"(?:\s+\(in\s+reply\s+to\s+(?P<command>[^()]*?)\s+command\)|(?=\)[ \t]*$))", re.M),
        _read_postfix_said, hints=("said:",)),
    Recogniser(
        "postfix",
        _lazy(r"(?:NOQUEUE|[0-9A-Za-z]{5,}): (?:milter-)?reject: (?P<stage>[A-Z-]+) from \S+: "
              rf"(?P<reply>{_CODE} [^\n]*?)(?=; (?:from|to|proto|helo)=|\n|$)"),
        _read_postfix_reject, hints=("reject:",)),
    Recogniser(
        "postfix_sasl",
        _lazy(r"SASL (?P<mechanism>[A-Z0-9-]+) authentication failed:[ \t]*(?P<reason>[^\n,]*?)"
              r"(?:, sasl_username=[^\n]*)?[ \t]*$", re.M),
        _read_postfix_sasl, hints=("sasl ",)),
    Recogniser(
        "exim",
        _lazy(r"SMTP error from remote (?:mail )?server after (?P<command>[^\n]*?):\s*"
              rf"(?:host \S+ \[[^\]]*\]:?\s*)?(?P<reply>{_CODE}(?:[ -][^\n]*)?)"),
        _read_exim, hints=("smtp error from remote",)),
    Recogniser(
        "exim",
        _lazy(r"(?P<authenticator>\w+) authenticator failed for [^\n]*?: "
              rf"(?P<reply>{_CODE} [^\n]*?)(?: \(set_id=[^)\n]*\))?[ \t]*$", re.M),
        _read_exim_auth, hints=("authenticator failed",)),
    Recogniser(
        "sendmail",
        _lazy(rf"\bstat=(?:Deferred: |Service unavailable: )?(?P<reply>{_CODE} [^\n]*)"),
        _read_sendmail_stat, hints=("stat=",)),
    Recogniser(
        "exchange",
        _lazy(r"Remote [Ss]erver returned '(?P<inner>[^\n]*)'"),
        _read_exchange, hints=("server returned",)),
    Recogniser(
        "exchange",
        _lazy(rf"#(?P<reply>{_CODE} {_ENHANCED} [^#\n]*?) ?##"),
        _read_exchange_hash, hints=("##",)),
    Recogniser(
        "dsn",
        _lazy(r"^Diagnostic-Code:[ \t]*smtp;[ \t]*(?P<value>)", re.M | re.I),
        _read_dsn, hints=("diagnostic-code",)),
    Recogniser(
        "dsn",
        _lazy(rf"^Status:[ \t]*(?P<status>{_ENHANCED})(?:[ \t]*\((?P<comment>[^)\n]*)\))?", re.M | re.I),
        _read_dsn_status, hints=("status:",)),
    Recogniser("python", _PY_TUPLE, _read_python_tuple, hints=("(",)),
    Recogniser(  # a code and an enhanced code of the same class, anywhere
        "embedded",
        _lazy(rf"(?<![\w.=/-])(?P<code>[2-5][0-5][0-9])[ -](?P<enhanced>{_ENHANCED})(?=\s|$)"),
        _read_embedded),
    Recogniser(  # a code alone, only right after a label such as "Response: " or "Error - "
        "embedded",
        _lazy(r"(?:(?<=: )|(?<=- )|(?<=, )|(?<=\] )|^)(?P<code>[2-5][0-5][0-9])[ -](?P<enhanced>)"
              r"(?=[A-Za-z<\[(#\"'])", re.M),
        _read_embedded),
)


def find(text: str, dialogues: bool = True) -> Found | None:
    """What the first recogniser that fits takes out of ``text``, or None.

    A debug log of a whole dialogue is tried first (it says most); ``dialogues=False`` skips it.
    """
    text = text.replace("\r\n", "\n")
    lowered = "\n" + text.lower()
    found = find_dialogue(text, minimum=2, lowered=lowered) if dialogues else None
    if found is not None:
        return found
    for recogniser in RECOGNISERS:
        if not _hinted(recogniser.hints, lowered):
            continue
        if recogniser.last:
            match = None
            for match in recogniser.pattern.finditer(text):
                pass
        else:
            match = recogniser.pattern.search(text)
        if match is None:
            continue
        found = recogniser.read(match, text)
        if found is not None:
            return found
    return find_dialogue(text, minimum=1, lowered=lowered) if dialogues else None


__all__ = ["DIALOGUE_FORMATS", "Found", "RECOGNISERS", "Recogniser", "find", "find_dialogue"]
