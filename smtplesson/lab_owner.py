"""Which OS user opened a loopback connection, read from Linux's /proc/net/tcp and /proc/net/tcp6.

On a shared machine (a JupyterHub) every learner's lab listens on the same loopback, so a lab
answers only its owner: the client's socket row in the kernel's table names its uid.
"""

from __future__ import annotations

import ipaddress
import os
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


def peer_uid(client: tuple, server: tuple) -> int | None:
    """The uid that owns the client end of a loopback TCP connection, or None if not found.

    ``client`` and ``server`` are (ip, port, ...) as asyncio reports peername and sockname."""
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
