"""The lab's server machinery on top of aiosmtpd: the protocol and the controller that runs it.

``LabSMTP`` is aiosmtpd's SMTP plus what the lab adds: the owner-only greeting (RFC 5321 §3.1),
the event log, and Google's XOAUTH2 mechanism. ``listen`` binds the socket and names the real
cause when it cannot (permission, busy port).
"""

from __future__ import annotations

import asyncio
import errno
import functools
import socket

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import MISSING, SMTP, AuthResult

from . import lab_owner
from .errors import LabError
from .lab_auth import TOKEN_ERROR, decode_b64, parse_xoauth2
from .lab_events import EventLog, split_reply

#: RFC 5321 §3.1: a server that will not serve a client may greet it with 554 instead of 220.
NO_SERVICE = "554 5.7.1 No SMTP service here: this lab answers only the user who started it"
#: ... and then answers 503 to every command until QUIT; the command after this many gets 421.
NO_SERVICE_COMMANDS = 20


class LabSMTP(SMTP):
    """aiosmtpd's SMTP plus the lab's parts: the owner check, the event log and XOAUTH2."""

    def __init__(self, handler, *, events: EventLog, owner_uid: int | None, **kwargs) -> None:
        super().__init__(handler, **kwargs)
        self._events = events
        self._owner_uid = owner_uid
        self._lab_session: int | None = None
        self._command: str | None = None  # the command being answered, for the event log
        self.lab_mechanism: str | None = None
        self.lab_username: str | None = None

    async def _handle_client(self) -> None:
        self._lab_session = self._events.open_session(self.session.peer)
        if self._owner_uid is not None:
            local = self.transport.get_extra_info("sockname")
            if lab_owner.peer_uid(self.session.peer, local) != self._owner_uid:
                await self._no_service()
                return
        await super()._handle_client()

    async def _no_service(self) -> None:
        """RFC 5321 §3.1: greet with 554, answer 503 to each command until QUIT, then 221."""
        self._command = "CONNECT"
        await self.push(NO_SERVICE)
        try:
            for count in range(1, NO_SERVICE_COMMANDS + 2):
                line = await self._reader.readuntil()
                self._reset_timeout()
                words = line.split(None, 1)
                verb = words[0][:16].decode("ascii", "replace").upper() if words else ""
                self._command = verb or None
                if verb == "QUIT":
                    await self.push("221 Bye")
                    break
                if count > NO_SERVICE_COMMANDS:
                    await self.push("421 4.7.0 Too many commands without service, closing connection")
                    break
                await self.push("503 5.5.1 Bad sequence of commands: no SMTP service here, send QUIT")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            pass
        except asyncio.CancelledError:
            self._writer.close()
            raise
        if self.transport is not None:
            self.transport.close()

    async def push(self, status) -> None:
        if self._lab_session is not None:
            line = status.decode("utf-8", "replace") if isinstance(status, bytes) else status
            if line[3:4] != "-":
                self._log_reply(line)
        await super().push(status)

    def _log_reply(self, line: str) -> None:
        code, enhanced, text = split_reply(line)
        if code is None:
            return
        command = self._command
        if command == "AUTH" and code in (235, 534, 535):
            kind = "auth_ok" if code == 235 else "auth_failed"
        elif command == "DATA" and code == 250:
            kind = "queued"
        elif code >= 400:
            kind = "reject"
        else:
            return
        auth = {"mechanism": self.lab_mechanism, "username": self.lab_username} if command == "AUTH" else {}
        self._events.add(self._lab_session, self.session.peer, kind, command=command, code=code,
                         enhanced=enhanced, text=text, **auth)

    def connection_lost(self, error) -> None:
        self._events.add(self._lab_session, self.session.peer, "disconnect")
        self._lab_session = None
        super().connection_lost(error)

    async def auth_XOAUTH2(self, _, args: list[str]) -> AuthResult:
        """Google's XOAUTH2: a bad token gets 334 + base64 JSON, then 535 after the client's empty line."""
        if len(args) == 1:
            blob = await self.challenge_auth("")
            if blob is MISSING:
                return AuthResult(success=False)  # aiosmtpd already answered 501
        else:
            blob = decode_b64(args[1])
            if blob is None:
                await self.push("501 5.5.2 Can't decode base64")
                return AuthResult(success=False)
        bearer = parse_xoauth2(blob)
        if bearer is not None:
            result = self._authenticate("XOAUTH2", bearer)
            if result.success:
                return result
        if await self.challenge_auth(TOKEN_ERROR) is MISSING:
            return AuthResult(success=False)
        return AuthResult(success=False, handled=False)


def _tracked(name: str, method):
    """Wrap an smtp_* method so the replies it pushes are logged under its command."""
    @functools.wraps(method)  # keeps @syntax's attributes, which HELP reads
    async def tracked(self: LabSMTP, arg):
        self._command = name
        if name == "AUTH":
            words = arg.split() if arg else []
            self.lab_mechanism = words[0].upper() if words else None
            self.lab_username = None
        try:
            return await method(self, arg)
        finally:
            self._command = None
    return tracked


# Once, on the class: aiosmtpd looks its smtp_* methods up per connection, and finds these.
for _name in [name for name in dir(SMTP) if name.startswith("smtp_")]:
    setattr(LabSMTP, _name, _tracked(_name[len("smtp_"):], getattr(SMTP, _name)))


class LabController(Controller):
    """aiosmtpd's Controller on a socket we bound ourselves, so port 0 works and a busy port fails fast."""

    def __init__(self, sock: socket.socket, handler, *, auth_required: bool, events: EventLog,
                 owner_uid: int | None, **kwargs):
        self._sock = sock
        self._auth_required = auth_required
        self._lab_extras = {"events": events, "owner_uid": owner_uid}
        host, port = sock.getsockname()[:2]
        super().__init__(handler, hostname=host, port=port, **kwargs)

    def factory(self) -> SMTP:
        # aiosmtpd warns (UserWarning, into the learner's cell) when AUTH is required without TLS.
        # On loopback that is the lesson's point, so the flag is set after construction instead.
        server = LabSMTP(self.handler, **self._lab_extras, **self.SMTP_kwargs)
        server._auth_required = self._auth_required
        return server

    def _create_server(self):
        return self.loop.create_server(self._factory_invoker, sock=self._sock,
                                       ssl=self.ssl_context)


def _unprivileged_ports_from() -> int:
    """The lowest port a normal user may listen on (Linux's setting; 1024 elsewhere)."""
    try:
        with open("/proc/sys/net/ipv4/ip_unprivileged_port_start") as setting:
            return int(setting.read())
    except (OSError, ValueError):
        return 1024


def listen(host: str, port: int) -> socket.socket:
    """Bind and listen, or raise LabError naming the real cause (permission, busy port, …)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP matters: asyncio sets TCP_NODELAY only on sockets that say so, and
    # without it every multi-line reply waits ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(100)
        return sock
    except OSError as error:
        sock.close()
        lowest = _unprivileged_ports_from()
        if error.errno == errno.EACCES and port < lowest:
            raise LabError.of("error.lab.listen_permission", rule="port-permission", host=host,
                              port=port, lowest=lowest) from None
        if error.errno == errno.EADDRINUSE:
            raise LabError.of("error.lab.port_in_use", rule="port-in-use", host=host,
                              port=port) from None
        if error.errno == errno.EADDRNOTAVAIL:
            raise LabError.of("error.lab.no_address", rule="address", host=host, port=port) from None
        raise LabError.of("error.lab.listen", rule="port", host=host, port=port,
                          reason=str(error.strerror or error)) from None
