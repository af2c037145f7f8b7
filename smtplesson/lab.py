"""The live lab: a real SMTP server (aiosmtpd) on loopback, and Python's smtplib as the client.

Nothing here imitates the protocol. ``LabServer`` runs aiosmtpd on 127.0.0.1 on a port the OS
picks; ``send_mail`` drives it with smtplib and records every line both ways; ``dialogue`` sends
raw commands one by one. Messages stay in memory and are never relayed anywhere. A lab can also
speak TLS from the first byte (as port 465 does), ask for app passwords (534 5.7.9, Gmail's way) or
take OAuth 2.0 tokens by XOAUTH2; it records what it did in ``events`` and serves only its owner.

    lab = LabServer().start()
    outcome = send_mail(lab, "alice", "not-the-password")
    print(outcome.transcript)      # ... S: 535 5.7.8 Authentication credentials invalid
"""

from __future__ import annotations

import atexit
import collections
import ipaddress
import logging
import os
import smtplib
import socket
import ssl
import sys
import threading
import weakref
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

from . import cards, lab_owner
from .catalogue import lookup
from .errors import LabError
from .i18n import check_language, get_language, t
from .lab_auth import Authenticator, check_credentials, xoauth2_response
from .lab_events import EVENT_CAP, EventLog, LabEvent
from .lab_smtp import LabController, listen
from .lab_tls import SERVER_NAME, client_tls, server_tls
from .reply import END_OF_DATA, Transcript, parse_transcript

__all__ = ["EVENT_CAP", "LabEvent", "LabMessage", "LabServer", "Outcome", "client_tls",
           "dialogue", "live_labs", "send_mail", "server_log"]

CLIENT_NAME = "learner.example"
DEFAULT_ACCOUNTS = {"alice": "wonderland"}
DEFAULT_SENDER = "alice@lab.example"
DEFAULT_RECIPIENTS = ("bob@lab.example",)
DEFAULT_BODY = (
    "From: alice@lab.example\r\n"
    "To: bob@lab.example\r\n"
    "Subject: Hello from the lab\r\n"
    "\r\n"
    "Hi Bob, this message never leaves this computer.\r\n"
)
#: Seconds a client waits for the server before giving up (nothing in the lab may hang).
TIMEOUT = 10.0
#: Client lines longer than this are shortened in transcripts (the wire still carries them whole).
SHOWN_LINE = 400

# aiosmtpd logs on every successful AUTH that Session.login_data is deprecated: that is about
# aiosmtpd's own API, not about SMTP, so it is kept out of notebook cells (see _KeepLog).
_server_log: collections.deque[str] = collections.deque(maxlen=500)


class _KeepLog(logging.Handler):
    """Keep aiosmtpd's log in ``server_log()`` instead of printing it into notebook cells."""

    NOISE = ("login_data is deprecated",)

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if not any(noise in message for noise in self.NOISE):
            _server_log.append(f"{record.levelname}: {message}")


_mail_log = logging.getLogger("mail.log")
_mail_log.addHandler(_KeepLog())
_mail_log.propagate = False


def server_log() -> list[str]:
    """What the lab servers logged (newest last): connections, errors, warnings."""
    return list(_server_log)


@dataclass(frozen=True)
class LabMessage:
    """A message the lab accepted: envelope and content, kept in memory only."""

    sender: str
    recipients: tuple[str, ...]
    content: str


# --- the server ------------------------------------------------------------------------------------

class _Handler:
    """Accepts every message into the lab's memory; delivers nothing. Holds the lab weakly."""

    def __init__(self, lab: "LabServer"):
        self._lab = weakref.ref(lab)

    async def handle_DATA(self, server, session, envelope):
        lab = self._lab()
        number = lab._keep(envelope) if lab is not None else 0
        return f"250 OK: message {number} accepted; the lab keeps it and delivers nothing"


def _shutdown(controller: LabController, events: EventLog) -> None:
    """Stop a lab's server thread and free its port; also run when a dropped lab is collected."""
    events.active = False
    if threading.current_thread() is controller._thread:
        # the last reference went away inside the server's own thread, which cannot join itself
        threading.Thread(target=controller.stop, name="smtplesson-lab-stop", daemon=True).start()
    else:
        controller.stop()


_live: "weakref.WeakSet[LabServer]" = weakref.WeakSet()
_by_cell: dict[object, list[tuple[object, weakref.ref]]] = {}


def _cell_identity() -> tuple[object, object] | None:
    """(which notebook cell, which run of it) when called from IPython, else None."""
    if "IPython" not in sys.modules:
        return None
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None:
        return None
    parent = {}
    kernel = getattr(shell, "kernel", None)
    if kernel is not None and hasattr(kernel, "get_parent"):
        parent = kernel.get_parent("shell") or {}
    cell = (parent.get("metadata") or {}).get("cellId")
    if cell is None:  # no cell id from the front end: the cell's compiled file name stands in
        names = getattr(getattr(shell, "compile", None), "_filename_map", {})
        frame = sys._getframe(1)
        while frame is not None and frame.f_code.co_filename not in names:
            frame = frame.f_back
        cell = frame.f_code.co_filename if frame is not None else None
        # Terminal IPython names cells "<ipython-input-7-ab12…>": the number changes on each run,
        # the hash of the source does not. (ipykernel's names are the hash alone.)
        if cell is not None and cell.startswith("<ipython-input-"):
            cell = cell.rsplit("-", 1)[-1]
    run = (parent.get("header") or {}).get("msg_id") or shell.execution_count
    return (cell, run) if cell is not None else None


def _stop_labs_from_earlier_runs(lab: "LabServer") -> None:
    """A notebook cell that is run again stops the labs its earlier runs started."""
    identity = _cell_identity()
    if identity is None:
        return
    cell, run = identity
    kept = []
    for other_run, ref in _by_cell.get(cell, []):
        other = ref()
        if other is None:
            continue
        if other_run != run:
            other.stop()
        else:
            kept.append((other_run, ref))
    kept.append((run, weakref.ref(lab)))
    _by_cell[cell] = kept


def _check_flag(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise LabError.of("error.lab.flag", rule="flag", name=name, value=value)
    return value


class LabServer:
    """A real SMTP server on loopback with demo accounts; AUTH PLAIN and LOGIN (XOAUTH2 with tokens).

    ``require_tls``: AUTH only after STARTTLS (AUTH before it gets ``538 5.7.11``).
    ``require_auth``: MAIL before a successful AUTH gets ``530 5.7.0``.
    ``implicit_tls``: TLS from the first byte, as on port 465 (clients use ``smtplib.SMTP_SSL``).
    ``app_passwords``: {user: app password}; the regular password then gets ``534 5.7.9`` (Gmail's way).
    ``tokens``: {user: OAuth 2.0 token}; XOAUTH2 is offered only when this is given.
    ``owner_only``: on Linux, other OS users get a 554 greeting (skipped where /proc/net/tcp is absent).
    ``events`` keeps the newest ``EVENT_CAP`` (10,000) events; ``messages`` keeps every message.
    """

    def __init__(self, accounts: dict[str, str] | None = None, *, require_tls: bool = False,
                 require_auth: bool = False, implicit_tls: bool = False,
                 app_passwords: dict[str, str] | None = None, tokens: dict[str, str] | None = None,
                 host: str = "127.0.0.1", port: int = 0, owner_only: bool = True) -> None:
        if accounts is not None and not isinstance(accounts, dict):
            raise LabError.of("error.lab.accounts_type", rule="accounts",
                              type=type(accounts).__name__)
        accounts = dict(DEFAULT_ACCOUNTS if accounts is None else accounts)
        for user, password in accounts.items():
            if not isinstance(user, str) or not isinstance(password, str) or not user:
                raise LabError.of("error.lab.accounts_values", rule="accounts")
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            raise LabError.of("error.lab.host", rule="loopback-only", host=host) from None
        if not address.is_loopback:
            raise LabError.of("error.lab.loopback", rule="loopback-only", host=host)
        if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
            raise LabError.of("error.lab.port", rule="port")
        flags = {name: _check_flag(name, value) for name, value in [
            ("require_tls", require_tls), ("require_auth", require_auth),
            ("implicit_tls", implicit_tls), ("owner_only", owner_only)]}
        if flags["implicit_tls"] and flags["require_tls"]:
            raise LabError.of("error.lab.tls_mode", rule="tls-mode")
        self.app_passwords, self.tokens = check_credentials(accounts, app_passwords, tokens)
        self.accounts = accounts
        self.require_tls = flags["require_tls"]
        self.require_auth = flags["require_auth"]
        self.implicit_tls = flags["implicit_tls"]
        self.owner_only = flags["owner_only"]
        self.host = host
        self.port = port
        self.messages: list[LabMessage] = []
        self._wanted_port = port
        self._controller: LabController | None = None
        self._finalizer: weakref.finalize | None = None
        self._events = EventLog()
        self._lock = threading.Lock()  # start and stop
        self._messages_lock = threading.Lock()  # taken by the server's thread: never held in stop

    # -- life cycle --

    @property
    def running(self) -> bool:
        return self._controller is not None

    @property
    def events(self) -> tuple[LabEvent, ...]:
        """What the server did, oldest first: connect, auth_ok, auth_failed, reject, queued, disconnect."""
        return self._events.snapshot()

    def start(self) -> "LabServer":
        """Bind, start serving, and return self. Does nothing if already running."""
        with self._lock:
            if self._controller is not None:
                return self
            sock = listen(self.host, self._wanted_port)
            port = sock.getsockname()[1]
            controller = LabController(
                sock, _Handler(self),
                events=self._events, owner_uid=self._owner_uid(port),
                server_hostname=SERVER_NAME, ident="smtplesson lab",
                authenticator=Authenticator(self),
                # implicit TLS: aiosmtpd counts only STARTTLS as TLS (aio-libs/aiosmtpd#281) and
                # would answer AUTH with 538 on a connection that is encrypted from the start.
                auth_require_tls=self.require_tls and not self.implicit_tls,
                auth_required=self.require_auth,
                auth_exclude_mechanism=[] if self.tokens is not None else ["XOAUTH2"],
                ssl_context=server_tls() if self.implicit_tls else None,
                tls_context=None if self.implicit_tls else server_tls(), require_starttls=False,
                timeout=60, ready_timeout=5.0,
            )
            try:
                controller.start()
            except BaseException:
                controller.stop(no_assert=True)
                sock.close()
                raise
            self.port = port
            self._controller = controller
            self._events.active = True
            self._finalizer = weakref.finalize(self, _shutdown, controller, self._events)
            _live.add(self)
        _stop_labs_from_earlier_runs(self)
        return self

    def _owner_uid(self, port: int) -> int | None:
        """The uid whose connections this lab serves, or None when the check is off or cannot work."""
        if not self.owner_only or not lab_owner.AVAILABLE:
            return None
        if not lab_owner.lists_listener(self.host, port):
            _server_log.append("WARNING: owner_only is off for this lab: the kernel's table of "
                               "sockets does not show it, so the client's user cannot be found")
            return None
        return os.geteuid()

    def stop(self) -> None:
        """Stop serving and free the port. Does nothing if not running."""
        with self._lock:
            finalizer, self._finalizer = self._finalizer, None
            self._controller = None
            _live.discard(self)
        if finalizer is not None:
            finalizer()  # runs _shutdown once, outside the lock the server's thread may need

    def __enter__(self) -> "LabServer":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = f"running on {self.host}:{self.port}" if self.running else "stopped"
        options = [name for name in ("require_tls", "require_auth", "implicit_tls")
                   if getattr(self, name)]
        options += [name for name in ("app_passwords", "tokens") if getattr(self, name) is not None]
        if not self.owner_only:
            options.append("owner_only=False")
        extra = f", {', '.join(options)}" if options else ""
        return f"<LabServer {state}, accounts: {', '.join(self.accounts)}{extra}>"

    # -- server side --

    def _keep(self, envelope) -> int:
        content = envelope.content
        if isinstance(content, bytes):
            content = content.decode("utf-8", errors="replace")
        with self._messages_lock:
            self.messages.append(LabMessage(sender=envelope.mail_from,
                                            recipients=tuple(envelope.rcpt_tos), content=content))
            return len(self.messages)


@atexit.register
def _stop_all() -> None:
    for lab in list(_live):
        lab.stop()


def live_labs() -> list[LabServer]:
    """The labs running in this process."""
    return [lab for lab in list(_live) if lab.running]


# --- the client side -------------------------------------------------------------------------------

class _Recorder:
    """Collects every line that crosses the socket, as S:/C: transcript lines."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def client(self, data: str | bytes) -> None:
        if isinstance(data, bytes):
            data = data.decode("utf-8", errors="replace")
        if data.endswith("\r\n"):
            data = data[:-2]
        for line in data.split("\r\n"):
            if len(line) > SHOWN_LINE:
                line = line[:SHOWN_LINE] + f"… ({len(line) - SHOWN_LINE:,} more characters)"
            self.lines.append(f"C: {line}")

    def server(self, line: bytes) -> None:
        # A server may echo what it was sent, control characters included: show those escaped.
        text = line.rstrip(b"\r\n").decode("ascii", errors="backslashreplace")
        self.lines.append("S: " + "".join(
            c if " " <= c <= "~" or c == "\t" else f"\\x{ord(c):02x}" for c in text))

    def transcript(self) -> Transcript:
        return parse_transcript("\n".join(self.lines)) if self.lines else Transcript((), ())


class _ReadRecorder:
    """Wraps smtplib's socket file so each reply line is recorded as it is read."""

    def __init__(self, inner, recorder: _Recorder) -> None:
        self._inner, self._recorder = inner, recorder

    def readline(self, limit: int = -1) -> bytes:
        line = self._inner.readline(limit)
        if line:
            self._recorder.server(line)
        return line

    def close(self) -> None:
        self._inner.close()


class _Recording:
    """Mixed into smtplib's client classes: records both directions; the protocol is smtplib's own."""

    def __init__(self, recorder: _Recorder, **kwargs) -> None:
        self._recorder = recorder
        super().__init__(**kwargs)

    def send(self, s) -> None:
        self._recorder.client(s)
        super().send(s)

    def getreply(self):
        if self.file is None and self.sock is not None:
            self.file = _ReadRecorder(self.sock.makefile("rb"), self._recorder)
        return super().getreply()


class _RecordingSMTP(_Recording, smtplib.SMTP):
    """smtplib.SMTP, recorded: plain text first, STARTTLS if asked (port 587 style)."""


class _RecordingSMTP_SSL(_Recording, smtplib.SMTP_SSL):
    """smtplib.SMTP_SSL, recorded: TLS from the first byte (port 465 style)."""


def _client(recorder: _Recorder, implicit_tls: bool, timeout: float, **address):
    if implicit_tls:
        return _RecordingSMTP_SSL(recorder, local_hostname=CLIENT_NAME, timeout=timeout,
                                  context=client_tls(), **address)
    return _RecordingSMTP(recorder, local_hostname=CLIENT_NAME, timeout=timeout, **address)


@dataclass(frozen=True, eq=False)
class Outcome:
    """What happened in one session: the verdict code, the error smtplib raised, every line."""

    ok: bool
    code: int | None
    enhanced: str | None
    error: BaseException | None
    transcript: Transcript
    message: str = ""
    #: Index in ``transcript.exchanges`` of the reply that decided the outcome, if any.
    verdict_index: int | None = field(default=None, repr=False)
    #: The message key of the verdict and its values, so ``describe`` can say it in any language.
    reason: str = field(default="", repr=False)
    details: Mapping[str, object] = field(default_factory=dict, repr=False)

    def describe(self, lang: str | None = None) -> str:
        """The verdict sentence in ``lang`` ('en' or 'hi'; default: the current language)."""
        lang = check_language(lang)
        if not self.reason:
            return self.message
        values = dict(self.details)
        if "code" in values:
            values["name"] = lookup(values["code"], lang).name
        return t(self.reason, lang, **values)

    def __str__(self) -> str:
        return f"{cards.transcript_text(self.transcript)}\n=> {self.message}"

    def _repr_html_(self) -> str:
        return cards.outcome_html(self, get_language())


def _check_text(name: str, value: object, *, optional: bool = False,
                key: str = "error.lab.text") -> None:
    if value is None and optional:
        return
    if not isinstance(value, str):
        raise LabError.of(key, rule="text-input", name=name, type=type(value).__name__)


def _check_timeout(timeout: object) -> float:
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout <= 3600:
        raise LabError.of("error.lab.timeout", rule="timeout")
    return float(timeout)


def _check_tls_flags(starttls: object, implicit_tls: object) -> None:
    if _check_flag("starttls", starttls) & _check_flag("implicit_tls", implicit_tls):
        raise LabError.of("error.lab.tls_flags", rule="tls-mode")


def _lab_address(lab: LabServer) -> tuple[str, int]:
    if not isinstance(lab, LabServer):
        raise LabError.of("error.lab.not_a_lab", rule="lab")
    if not lab.running:
        raise LabError.of("error.lab.stopped", rule="lab-stopped")
    return lab.host, lab.port


def _verdict_index(transcript: Transcript, code: int | None, ok: bool) -> int | None:
    for index in range(len(transcript.exchanges) - 1, -1, -1):
        exchange = transcript.exchanges[index]
        if ok and exchange.command == END_OF_DATA:
            return index
        if not ok and exchange.reply.code == code and exchange.verb != "QUIT":
            return index
    return None


def _timed_out(error: BaseException) -> bool:
    return isinstance(error, TimeoutError) or isinstance(error.__context__, TimeoutError)


def _client_side_reason(error: BaseException, lab: LabServer, implicit_tls: bool,
                        timeout: float, heard: bool) -> tuple[str, dict]:
    """The message key and values for a session that ended with no reply code."""
    if isinstance(error, UnicodeEncodeError):
        return "outcome.ascii_only", {"character": error.object[error.start:error.end]}
    if isinstance(error, smtplib.SMTPNotSupportedError):
        if "AUTH" in str(error):
            return "outcome.no_auth_offered", {}
        return "outcome.not_supported", {"detail": str(error)}
    if isinstance(error, ssl.SSLError):
        detail = error.reason or str(error)
        if implicit_tls and not lab.implicit_tls:
            return "outcome.tls_to_plain", {"detail": detail}
        return "outcome.tls_failed", {"detail": detail}
    if not heard and lab.implicit_tls and not implicit_tls:
        return "outcome.plain_to_tls", {}
    if not heard and _timed_out(error):
        return "outcome.no_greeting", {"timeout": f"{timeout:g}"}
    if isinstance(error, (smtplib.SMTPServerDisconnected, OSError)):
        return "outcome.disconnected", {"detail": str(error) or type(error).__name__}
    return "outcome.client_stopped", {"detail": str(error)}


def _mechanisms_answered(transcript: Transcript, code: int) -> list[str]:
    """The SASL mechanisms whose AUTH exchange ended in ``code``, in the order tried."""
    mechanisms, current = [], "?"
    for exchange in transcript.exchanges:
        if exchange.verb != "AUTH" or not exchange.command:
            continue
        words = exchange.command.split()
        if words[0].upper() == "AUTH" and len(words) > 1:
            current = words[1].upper()
        if exchange.reply.code == code:
            mechanisms.append(current)
    return mechanisms


def _server_reason(code: int, token: str | None, transcript: Transcript) -> tuple[str, dict]:
    """The message key and values for a session the server ended with ``code``."""
    answered = _mechanisms_answered(transcript, code)
    if code == 534 and answered:
        return "outcome.app_password", {"code": code, "mechanisms": ", ".join(answered)}
    challenged = any(e.verb == "AUTH" and e.reply.code == 334 for e in transcript.exchanges)
    if token is not None and code == 535 and answered and challenged:
        return "outcome.token_refused", {"code": code}
    return "outcome.refused", {"code": code}


def send_mail(lab: LabServer, user: str | None, password: str | None, *, starttls: bool = False,
              implicit_tls: bool = False, token: str | None = None,
              sender: str = DEFAULT_SENDER, recipients: str | Sequence[str] = DEFAULT_RECIPIENTS,
              body: str = DEFAULT_BODY, timeout: float = TIMEOUT) -> Outcome:
    """Log in (unless ``user`` is None) and send one message with smtplib; record every line.

    ``implicit_tls`` connects with ``smtplib.SMTP_SSL`` (port 465 style); ``token`` logs in with
    XOAUTH2 through ``smtplib.SMTP.auth`` instead of a password. A session that ends with no
    reply code (e.g. the wrong TLS mode for this lab) still returns an Outcome, within ``timeout``.
    """
    host, port = _lab_address(lab)
    _check_text("user", user, optional=True)
    _check_text("token", token, optional=True)
    if token is not None:
        if user is None:
            raise LabError.of("error.lab.token_user", rule="credentials")
        if password is not None:
            raise LabError.of("error.lab.token_password", rule="credentials")
    else:
        _check_text("password", password, optional=user is None)
    _check_tls_flags(starttls, implicit_tls)
    timeout = _check_timeout(timeout)
    _check_text("sender", sender)
    _check_text("body", body)
    if isinstance(recipients, str):
        recipients = [recipients]
    if not isinstance(recipients, Iterable):
        raise LabError.of("error.lab.recipients", rule="text-input")
    recipients = list(recipients)
    for recipient in recipients:
        _check_text("recipients", recipient, key="error.lab.recipient_text")
    options = ["SMTPUTF8"] if not all(a.isascii() for a in [sender, *recipients]) else []
    content: str | bytes = body if body.isascii() else body.encode("utf-8")
    if not body.isascii():
        options.append("BODY=8BITMIME")

    recorder = _Recorder()
    client = None
    error: BaseException | None = None
    code: int | None = None
    try:
        client = _client(recorder, implicit_tls, timeout, host=host, port=port)
        client.ehlo()
        if starttls:
            client.starttls(context=client_tls())
            client.ehlo()
        if token is not None:
            initial = xoauth2_response(user, token)
            client.auth("XOAUTH2", lambda challenge=None: initial if challenge is None else "")
        elif user is not None:
            client.login(user, password)
        refused = client.sendmail(sender, recipients, content, mail_options=options)
        code = 250
        if refused:  # some recipients refused: the message still went to the others
            error = smtplib.SMTPRecipientsRefused(refused)
    except smtplib.SMTPResponseException as exc:
        error, code = exc, exc.smtp_code
    except smtplib.SMTPRecipientsRefused as exc:
        error, code = exc, next(iter(exc.recipients.values()))[0]
    except (smtplib.SMTPException, OSError, UnicodeEncodeError) as exc:
        error = exc
    finally:
        if client is not None:
            try:
                if client.sock is not None:
                    client.quit()
            except (smtplib.SMTPException, OSError):
                pass
            client.close()

    if error is not None:  # its traceback would hold this frame, and with it the lab, alive
        error = error.with_traceback(None)
    transcript = recorder.transcript()
    ok = code == 250
    index = _verdict_index(transcript, code, ok)
    enhanced = transcript.exchanges[index].reply.enhanced if index is not None else None
    if ok:
        reason, details = "outcome.accepted", {}
    elif code is not None:
        reason, details = _server_reason(code, token, transcript)
    else:
        reason, details = _client_side_reason(error, lab, implicit_tls, timeout,
                                              heard=bool(transcript.lines))
    outcome = Outcome(ok=ok, code=code, enhanced=enhanced, error=error, transcript=transcript,
                      verdict_index=index, reason=reason, details=details)
    object.__setattr__(outcome, "message", outcome.describe())
    return outcome


def _open(client, host: str, port: int) -> None:
    """smtplib's connect() without its refusal of a greeting other than 220: record what came."""
    client._host = host
    client.sock = client._get_socket(host, port, client.timeout)
    client.file = None
    client.getreply()


def dialogue(lab: LabServer, commands: Iterable[str], *, implicit_tls: bool = False,
             timeout: float = TIMEOUT) -> Transcript:
    """Send raw commands one by one and record the whole exchange (no EHLO or QUIT added).

    After ``354`` the lines up to a lone ``.`` are message text; after ``220`` to ``STARTTLS`` the
    connection switches to TLS. Stops early if the server closes the connection. If no greeting
    comes at all (e.g. the wrong TLS mode for this lab), raises LabError saying why.
    """
    host, port = _lab_address(lab)
    _check_flag("implicit_tls", implicit_tls)
    timeout = _check_timeout(timeout)
    if isinstance(commands, str):
        commands = [commands]
    commands = list(commands)
    for command in commands:
        _check_text("commands", command, key="error.lab.command_text")
        if "\r" in command or "\n" in command:
            raise LabError.of("error.lab.one_line", rule="one-line")
    recorder = _Recorder()
    client = _client(recorder, implicit_tls, timeout)
    client.command_encoding = "utf-8"  # send what was typed; the server judges it
    try:
        _open(client, host, port)
    except (smtplib.SMTPServerDisconnected, OSError) as error:
        client.close()
        if recorder.lines:
            return recorder.transcript()
        reason, details = _client_side_reason(error, lab, implicit_tls, timeout, heard=False)
        raise LabError.of(reason, rule="tls-mode" if implicit_tls != lab.implicit_tls
                          else "no-greeting", **details) from None
    in_data = False
    try:
        for command in commands:
            if in_data:
                client.send(command + "\r\n")
                if command == ".":
                    in_data = False
                    client.getreply()
                continue
            code, _ = client.docmd(command)
            if command.strip().upper() == "STARTTLS" and code == 220:
                client.sock = client_tls().wrap_socket(client.sock, server_hostname=SERVER_NAME)
                client.file = None
            elif command.strip().upper() == "DATA" and code == 354:
                in_data = True
    except (smtplib.SMTPServerDisconnected, OSError):
        pass  # the server hung up (after QUIT, 421, or too many errors): the transcript shows it
    finally:
        client.close()
    return recorder.transcript()
