"""The live lab: a real SMTP server (aiosmtpd) on loopback, and Python's smtplib as the client.

Nothing here imitates the protocol. ``LabServer`` runs aiosmtpd on 127.0.0.1 on a port the OS
picks; ``send_mail`` drives it with smtplib and records every line both ways; ``dialogue`` sends
raw commands one by one. Messages stay in memory and are never relayed anywhere.

    lab = LabServer().start()
    outcome = send_mail(lab, "alice", "not-the-password")
    print(outcome.transcript)      # ... S: 535 5.7.8 Authentication credentials invalid
"""

from __future__ import annotations

import atexit
import collections
import ipaddress
import logging
import shutil
import smtplib
import socket
import ssl
import sys
import tempfile
import threading
import weakref
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

from . import cards
from .catalogue import lookup
from .errors import LabError
from .i18n import t
from .reply import END_OF_DATA, Transcript, parse_transcript

#: Names from RFC 2606's reserved ``example`` domain: no real host is ever meant.
SERVER_NAME = "smtp.lab.example"
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


# --- TLS: one self-signed certificate per process, made at run time -----------------------------

@lru_cache(maxsize=None)
def _certificate() -> tuple[str, str]:
    """Make a self-signed certificate for smtp.lab.example and 127.0.0.1; return (cert, key) paths."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, SERVER_NAME)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=7))
        .add_extension(x509.SubjectAlternativeName([
            x509.DNSName(SERVER_NAME),
            x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
            x509.IPAddress(ipaddress.ip_address("::1")),
        ]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = Path(tempfile.mkdtemp(prefix="smtplesson-tls-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    key_path.chmod(0o600)
    return str(cert_path), str(key_path)


@lru_cache(maxsize=None)
def _server_tls() -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*_certificate())
    return context


@lru_cache(maxsize=None)
def client_tls() -> ssl.SSLContext:
    """A client context that trusts exactly the lab's certificate, with hostname checks on.

    Made once per process, like the certificate: a context can serve any number of connections."""
    return ssl.create_default_context(cafile=_certificate()[0])


# --- the server ------------------------------------------------------------------------------------

class _Controller(Controller):
    """aiosmtpd's Controller on a socket we bound ourselves, so port 0 works and a busy port fails fast."""

    def __init__(self, sock: socket.socket, handler, *, auth_required: bool, **kwargs):
        self._sock = sock
        self._auth_required = auth_required
        host, port = sock.getsockname()[:2]
        super().__init__(handler, hostname=host, port=port, **kwargs)

    def factory(self) -> SMTP:
        # aiosmtpd warns (UserWarning, into the learner's cell) when AUTH is required without TLS.
        # On loopback that is the lesson's point, so the flag is set after construction instead.
        server = SMTP(self.handler, **self.SMTP_kwargs)
        server._auth_required = self._auth_required
        return server

    def _create_server(self):
        return self.loop.create_server(self._factory_invoker, sock=self._sock,
                                       ssl=self.ssl_context)


class _Handler:
    """Accepts every message into the lab's memory; delivers nothing."""

    def __init__(self, lab: "LabServer"):
        self._lab = weakref.ref(lab)

    async def handle_DATA(self, server, session, envelope):
        lab = self._lab()
        number = lab._keep(envelope) if lab is not None else 0
        return f"250 OK: message {number} accepted; the lab keeps it and delivers nothing"


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


class LabServer:
    """A real SMTP server on loopback with demo accounts; AUTH PLAIN and LOGIN.

    ``require_tls``: AUTH only after STARTTLS (AUTH before it gets ``538 5.7.11``).
    ``require_auth``: MAIL before a successful AUTH gets ``530 5.7.0``.
    """

    def __init__(self, accounts: dict[str, str] | None = None, *, require_tls: bool = False,
                 require_auth: bool = False, host: str = "127.0.0.1", port: int = 0) -> None:
        accounts = dict(DEFAULT_ACCOUNTS if accounts is None else accounts)
        for user, password in accounts.items():
            if not isinstance(user, str) or not isinstance(password, str) or not user:
                raise LabError("accounts maps non-empty user names to passwords, both str",
                               rule="accounts")
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            raise LabError(f"host must be a loopback address such as 127.0.0.1, not {host!r}",
                           rule="loopback-only") from None
        if not address.is_loopback:
            raise LabError(f"the lab only listens on loopback (127.0.0.1 or ::1), not {host}: "
                           "it must never be reachable from the network", rule="loopback-only")
        if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
            raise LabError("port is 0 (let the OS choose) or a number up to 65535", rule="port")
        self.accounts = accounts
        self.require_tls = bool(require_tls)
        self.require_auth = bool(require_auth)
        self.host = host
        self.port = port
        self.messages: list[LabMessage] = []
        self._wanted_port = port
        self._controller: _Controller | None = None
        self._lock = threading.Lock()

    # -- life cycle --

    @property
    def running(self) -> bool:
        return self._controller is not None

    def start(self) -> "LabServer":
        """Bind, start serving, and return self. Does nothing if already running."""
        with self._lock:
            if self._controller is not None:
                return self
            family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
            # proto=IPPROTO_TCP matters: asyncio sets TCP_NODELAY only on sockets that say so, and
            # without it every multi-line reply waits ~40 ms for a delayed ACK.
            sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                sock.bind((self.host, self._wanted_port))
                sock.listen(100)
            except OSError as error:
                sock.close()
                raise LabError(f"cannot listen on {self.host} port {self._wanted_port}: "
                               f"{error.strerror or error}; something else holds it. "
                               "Use port=0 to let the OS pick a free one", rule="port-in-use") from None
            controller = _Controller(
                sock, _Handler(self),
                server_hostname=SERVER_NAME, ident="smtplesson lab",
                authenticator=self._authenticate,
                auth_require_tls=self.require_tls, auth_required=self.require_auth,
                tls_context=_server_tls(), require_starttls=False,
                timeout=60, ready_timeout=5.0,
            )
            try:
                controller.start()
            except BaseException:
                controller.stop(no_assert=True)
                sock.close()
                raise
            self.port = sock.getsockname()[1]
            self._controller = controller
            _live.add(self)
        _stop_labs_from_earlier_runs(self)
        return self

    def stop(self) -> None:
        """Stop serving and free the port. Does nothing if not running."""
        with self._lock:
            controller, self._controller = self._controller, None
            if controller is not None:
                controller.stop()
                _live.discard(self)

    def __enter__(self) -> "LabServer":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def __del__(self) -> None:
        try:
            self.stop()
        except Exception:
            pass

    def __repr__(self) -> str:
        state = f"running on {self.host}:{self.port}" if self.running else "stopped"
        options = [name for name in ("require_tls", "require_auth") if getattr(self, name)]
        extra = f", {', '.join(options)}" if options else ""
        return f"<LabServer {state}, accounts: {', '.join(self.accounts)}{extra}>"

    # -- server side --

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        if isinstance(auth_data, LoginPassword):
            try:
                user = auth_data.login.decode("utf-8")
                password = auth_data.password.decode("utf-8")
            except UnicodeDecodeError:
                return AuthResult(success=False, handled=False)
            if user in self.accounts and self.accounts[user] == password:
                return AuthResult(success=True, auth_data=auth_data)
        # handled=False makes aiosmtpd send 535; handled=True would send nothing and hang the client.
        return AuthResult(success=False, handled=False)

    def _keep(self, envelope) -> int:
        content = envelope.content
        if isinstance(content, bytes):
            content = content.decode("utf-8", errors="replace")
        with self._lock:
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


class _RecordingSMTP(smtplib.SMTP):
    """smtplib.SMTP that records both directions; the protocol is smtplib's own."""

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

    def __str__(self) -> str:
        return f"{cards.transcript_text(self.transcript)}\n=> {self.message}"

    def _repr_html_(self) -> str:
        from .i18n import get_language

        return cards.outcome_html(self, get_language())


def _check_text(name: str, value: object, *, optional: bool = False) -> None:
    if value is None and optional:
        return
    if not isinstance(value, str):
        raise LabError(f"{name} must be text (str), not {type(value).__name__}", rule="text-input")


def _lab_address(lab: LabServer) -> tuple[str, int]:
    if not isinstance(lab, LabServer):
        raise LabError("the first argument is the LabServer to talk to", rule="lab")
    if not lab.running:
        raise LabError("the lab is not running: call lab.start() first", rule="lab-stopped")
    return lab.host, lab.port


def _verdict_index(transcript: Transcript, code: int | None, ok: bool) -> int | None:
    for index in range(len(transcript.exchanges) - 1, -1, -1):
        exchange = transcript.exchanges[index]
        if ok and exchange.command == END_OF_DATA:
            return index
        if not ok and exchange.reply.code == code and exchange.verb != "QUIT":
            return index
    return None


def _client_side_reason(error: BaseException) -> str:
    """Plain words for a session that smtplib (not the server) stopped."""
    if isinstance(error, UnicodeEncodeError):
        return t("outcome.ascii_only", character=error.object[error.start:error.end])
    if isinstance(error, smtplib.SMTPNotSupportedError):
        if "AUTH" in str(error):
            return t("outcome.no_auth_offered")
        return t("outcome.not_supported", detail=str(error))
    if isinstance(error, (smtplib.SMTPServerDisconnected, OSError)):
        return t("outcome.disconnected", detail=str(error) or type(error).__name__)
    return t("outcome.client_stopped", detail=str(error))


def send_mail(lab: LabServer, user: str | None, password: str | None, *, starttls: bool = False,
              sender: str = DEFAULT_SENDER, recipients: str | Sequence[str] = DEFAULT_RECIPIENTS,
              body: str = DEFAULT_BODY, timeout: float = TIMEOUT) -> Outcome:
    """Log in (unless ``user`` is None) and send one message with smtplib; record every line."""
    host, port = _lab_address(lab)
    _check_text("user", user, optional=True)
    _check_text("password", password, optional=user is None)
    _check_text("sender", sender)
    _check_text("body", body)
    if isinstance(recipients, str):
        recipients = [recipients]
    if not isinstance(recipients, Iterable):
        raise LabError("recipients is an address or a list of addresses", rule="text-input")
    recipients = list(recipients)
    for recipient in recipients:
        _check_text("each recipient", recipient)
    options = ["SMTPUTF8"] if not all(a.isascii() for a in [sender, *recipients]) else []
    content: str | bytes = body if body.isascii() else body.encode("utf-8")
    if not body.isascii():
        options.append("BODY=8BITMIME")

    recorder = _Recorder()
    client = None
    error: BaseException | None = None
    code: int | None = None
    try:
        client = _RecordingSMTP(recorder, host=host, port=port, local_hostname=CLIENT_NAME,
                                timeout=timeout)
        client.ehlo()
        if starttls:
            client.starttls(context=client_tls())
            client.ehlo()
        if user is not None:
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

    transcript = recorder.transcript()
    ok = code == 250
    index = _verdict_index(transcript, code, ok)
    enhanced = transcript.exchanges[index].reply.enhanced if index is not None else None
    if ok:
        message = t("outcome.accepted")
    elif code is not None:
        message = t("outcome.refused", code=code, name=lookup(code).name)
    else:
        message = _client_side_reason(error)
    return Outcome(ok=ok, code=code, enhanced=enhanced, error=error, transcript=transcript,
                   message=message, verdict_index=index)


def dialogue(lab: LabServer, commands: Iterable[str], *, timeout: float = TIMEOUT) -> Transcript:
    """Send raw commands one by one and record the whole exchange (no EHLO or QUIT added).

    After ``354`` the lines up to a lone ``.`` are message text; after ``220`` to ``STARTTLS`` the
    connection switches to TLS. Stops early if the server closes the connection.
    """
    host, port = _lab_address(lab)
    if isinstance(commands, str):
        commands = [commands]
    commands = list(commands)
    for command in commands:
        _check_text("each command", command)
        if "\r" in command or "\n" in command:
            raise LabError("one command per list item: a command cannot contain a line break",
                           rule="one-line")
    recorder = _Recorder()
    client = _RecordingSMTP(recorder, host=host, port=port, local_hostname=CLIENT_NAME,
                            timeout=timeout)
    client.command_encoding = "utf-8"  # send what was typed; the server judges it
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
