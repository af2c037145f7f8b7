"""A failing session through send_mail against bare smtplib on a bare aiosmtpd Controller.

Both do the same on the wire: connect, EHLO, AUTH PLAIN -> 535, AUTH LOGIN -> 535, QUIT. They run
interleaved in one process (target ratio: at most 1.15). Also: median start+stop time of a lab.
"""

import smtplib
import socket
import statistics
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from smtplesson.lab import LabServer, send_mail

ROUNDS = 300


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Sink:
    async def handle_DATA(self, server, session, envelope):
        return "250 OK"


bare = Controller(Sink(), hostname="127.0.0.1", port=free_port(), auth_require_tls=False,
                  authenticator=lambda *args: AuthResult(success=False, handled=False))
bare.start()
lab = LabServer().start()


def bare_session():
    client = smtplib.SMTP(bare.hostname, bare.port, timeout=10)
    try:
        client.ehlo()
        client.login("alice", "wrong")
    except smtplib.SMTPAuthenticationError as error:
        assert error.smtp_code == 535
    finally:
        client.quit()


def lab_session():
    assert send_mail(lab, "alice", "wrong").code == 535


ours, base = [], []
for _ in range(20):  # warm up both
    bare_session(), lab_session()
for _ in range(ROUNDS):
    start = time.perf_counter()
    lab_session()
    middle = time.perf_counter()
    bare_session()
    base.append(time.perf_counter() - middle)
    ours.append(middle - start)
bare.stop()
lab.stop()

ratio = statistics.median(ours) / statistics.median(base)
print(f"failing session: send_mail {statistics.median(ours) * 1000:.2f} ms, bare smtplib + aiosmtpd "
      f"{statistics.median(base) * 1000:.2f} ms -> ratio {ratio:.2f} (target <= 1.15) "
      f"{'ok' if ratio <= 1.15 else 'OVER TARGET'}")

cycles = []
for _ in range(30):
    start = time.perf_counter()
    LabServer().start().stop()
    cycles.append(time.perf_counter() - start)
print(f"lab start+stop: median {statistics.median(cycles) * 1000:.1f} ms over {len(cycles)} labs")
