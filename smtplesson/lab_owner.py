"""Which OS user opened a loopback connection: the uid the kernel keeps with the client's socket.

On a shared machine (a JupyterHub) every learner's lab listens on the same loopback, so a lab
answers only its owner. The uid is the one /proc/net/tcp and /proc/net/tcp6 print in the client
socket's row. Reading those tables costs time in proportion to every socket on the machine
(milliseconds with a thousand), so the same field is first asked of the kernel for that one
socket through sock_diag netlink (what ``ss`` uses, ~15 µs); the tables are the fallback.
"""

from __future__ import annotations

import errno
import ipaddress
import os
import socket
import struct

TABLES = {4: "/proc/net/tcp", 6: "/proc/net/tcp6"}
#: False where there is no /proc/net/tcp (not Linux): the owner check is then skipped.
AVAILABLE = os.path.exists(TABLES[4])
_LISTEN = "0A"  # the kernel's TCP_LISTEN state, as /proc/net/tcp prints it


def _hex(ip: str, port: int, version: int | None = None) -> str:
    """An address as the kernel prints it: each 32-bit word in host byte order, then the port."""
    address = ipaddress.ip_address(ip)
    if version == 6 and address.version == 4:
        address = ipaddress.IPv6Address(f"::ffff:{address}")
    packed = address.packed
    words = struct.unpack(f"={len(packed) // 4}I", packed)
    return "".join(f"{word:08X}" for word in words) + f":{port:04X}"


def _row_uid(table: bytes, local: str, remote: str) -> int | None:
    """The uid of the socket whose row starts with this local and remote address."""
    needle = f": {local} {remote} ".encode()
    start = table.find(needle)
    if start < 0:
        return None
    end = table.find(b"\n", start)
    fields = table[start + len(needle):end if end >= 0 else None].split()
    # after the addresses: state, tx:rx queues, timer, retransmits, uid
    return int(fields[4]) if len(fields) > 4 else None


def _read(version: int) -> bytes:
    try:
        with open(TABLES[version], "rb") as table:
            return table.read()
    except OSError:
        return b""


# sock_diag netlink (linux/sock_diag.h, linux/inet_diag.h)
_NETLINK_SOCK_DIAG = 4
_SOCK_DIAG_BY_FAMILY = 20
_NLM_F_REQUEST = 1
_NLMSG_ERROR = 2
_ANY_COOKIE = 0xFFFFFFFF
_UID_AT = 16 + 64  # nlmsghdr, then inet_diag_msg: family..retrans, sockid (48), expires, queues
_netlink_works = hasattr(socket, "AF_NETLINK")


def _diag_uid(client_ip: str, client_port: int, server_ip: str, server_port: int) -> int | None:
    """Ask the kernel for the one socket whose local end is the client's; None if it cannot say."""
    global _netlink_works
    family = socket.AF_INET6 if ":" in client_ip else socket.AF_INET
    request = struct.pack("=BBBBI", family, socket.IPPROTO_TCP, 0, 0, 0xFFFFFFFF)  # any state
    request += struct.pack("!HH", client_port, server_port)
    request += socket.inet_pton(family, client_ip).ljust(16, b"\0")
    request += socket.inet_pton(family, server_ip).ljust(16, b"\0")
    request += struct.pack("=III", 0, _ANY_COOKIE, _ANY_COOKIE)
    message = struct.pack("=LHHLL", 16 + len(request), _SOCK_DIAG_BY_FAMILY, _NLM_F_REQUEST, 1, 0)
    try:
        with socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, _NETLINK_SOCK_DIAG) as netlink:
            netlink.settimeout(1.0)
            netlink.sendto(message + request, (0, 0))
            reply = netlink.recv(4096)
    except OSError as error:
        if error.errno in (errno.EPERM, errno.EACCES, errno.EPROTONOSUPPORT, errno.EAFNOSUPPORT):
            _netlink_works = False  # e.g. a sandbox without netlink: use the tables from now on
        return None
    if len(reply) < _UID_AT + 4 or struct.unpack_from("=H", reply, 4)[0] == _NLMSG_ERROR:
        return None  # not found (or no tcp_diag here): the tables decide
    return struct.unpack_from("=I", reply, _UID_AT)[0]


def peer_uid(client: tuple, server: tuple) -> int | None:
    """The uid that owns the client end of a loopback TCP connection, or None if not found.

    ``client`` and ``server`` are (ip, port, ...) as asyncio reports peername and sockname."""
    if _netlink_works:
        uid = _diag_uid(client[0], client[1], server[0], server[1])
        if uid is not None:
            return uid
    return table_uid(client, server)


def table_uid(client: tuple, server: tuple) -> int | None:
    """``peer_uid`` read from /proc/net/tcp and /proc/net/tcp6 (the client socket's row)."""
    client_ip, client_port = client[0], client[1]
    server_ip, server_port = server[0], server[1]
    version = ipaddress.ip_address(client_ip).version
    uid = _row_uid(_read(version), _hex(client_ip, client_port), _hex(server_ip, server_port))
    if uid is None and version == 4:  # a dual-stack client socket shows as ::ffff:a.b.c.d in tcp6
        uid = _row_uid(_read(6), _hex(client_ip, client_port, 6), _hex(server_ip, server_port, 6))
    return uid


def lists_listener(host: str, port: int) -> bool:
    """True if the kernel's table shows this listening socket: the check can work here."""
    version = ipaddress.ip_address(host).version
    local = _hex(host, port)
    table = _read(version)
    needle = f": {local} ".encode()
    start = table.find(needle)
    while start >= 0:
        end = table.find(b"\n", start)
        fields = table[start + len(needle):end if end >= 0 else None].split()
        if len(fields) > 1 and fields[1] == _LISTEN.encode():
            return True
        start = table.find(needle, start + 1)
    return False
