"""explain() per paste on a mixed set of pastes, against explain() on plain replies (target: 3x).

A learner pastes a traceback, a library's error, a log line or a bounce; explain() has to find the
reply in it before it explains it. Two baselines, each measured in the same process and
interleaved with the pastes, so machine load hits all of them alike:

- explain() on plain replies, as the package is now;
- explain() on plain replies as it was before it read pastes (issue 14's "today", commit BEFORE),
  taken from git history into a temporary folder under another name. Without git history (a copy
  of the package, not a clone) that line is left out.
"""

import io
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

from smtplesson import explain

ROOT = Path(__file__).resolve().parent.parent
BEFORE = "ada3edb"  # main before explain() read pastes: the "today" of issue 14's target


def explain_before(folder: str):
    """explain() as it was at BEFORE, imported as ``smtplesson_before``; None without git history."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", BEFORE, "smtplesson"],
                             capture_output=True)
    if archive.returncode != 0:
        return None
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(folder, **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))
    package = Path(folder) / "smtplesson_before"
    (Path(folder) / "smtplesson").rename(package)
    for module in package.glob("*.py"):  # its data files are its own, not the installed package's
        module.write_text(module.read_text("utf-8").replace(
            'resources.files("smtplesson")', "resources.files(__package__)"), "utf-8")
    sys.path.insert(0, folder)
    import smtplesson_before

    return smtplesson_before.explain

PLAIN = [
    "250 OK",
    "535 5.7.8 Authentication credentials invalid",
    "535-5.7.8 Username and Password not accepted. For more information, go to\r\n"
    "535 5.7.8  https://support.google.com/mail/?p=BadCredentials a1b2c3 - gsmtp",
    "454 4.7.0 Too many login attempts, please try again later. a1b2 - gsmtp",
]

PASTES = [
    "Traceback (most recent call last):\n"
    '  File "/home/asha/send.py", line 21, in <module>\n    smtp.login(USER, PASSWORD)\n'
    '  File "/usr/lib/python3.12/smtplib.py", line 750, in login\n    raise last_exception\n'
    "smtplib.SMTPAuthenticationError: (535, b'5.7.8 Username and Password not accepted. For more "
    "information, go to\\n5.7.8  https://support.google.com/mail/?p=BadCredentials h7 - gsmtp')",
    "Error: Invalid login: 535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is "
    "disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.\n"
    "  code: 'EAUTH',\n  responseCode: 535,\n  command: 'AUTH LOGIN'",
    'Expected response code "250/251/252" but got code "550", with message "550 5.1.1 '
    '<ravi@example.org>: Recipient address rejected: User unknown in local recipient table".',
    "Jun 17 17:22:21 mx1 postfix/smtpd[23307]: NOQUEUE: reject: RCPT from unknown[198.51.100.7]: "
    "454 4.7.1 <ravi@example.org>: Relay access denied; from=<asha@example.net> "
    "to=<ravi@example.org> proto=ESMTP helo=<laptop>",
    "status=bounced (host mx.example.org[192.0.2.10] said: 550 5.1.1 <ravi@example.org>: Recipient "
    "address rejected: User unknown in local recipient table (in reply to RCPT TO command))",
    "Diagnostic-Code: smtp; 554 5.7.1 <lata@example.org>: Relay access denied",
    "System.Net.Mail.SmtpException: The SMTP server requires a secure connection or the client was "
    "not authenticated. The server response was: 5.7.0 Authentication Required.",
    "550-5.7.1 first part of the reason 550 5.7.1 second part of the reason",
    "Net::SMTPAuthenticationError: 535 5.7.0 Mailgun is not loving your login or password",
    "S: 334 VXNlcm5hbWU6\nC: YXNoYQ==\nS: 334 UGFzc3dvcmQ6\nC: d3Jvbmc=\n"
    "S: 535 5.7.8 Authentication credentials invalid",
] + PLAIN  # people also paste plain replies


def per_call(texts: list[str], function=explain) -> float:
    """Seconds per call of ``function``, over one pass through ``texts``."""
    start = time.perf_counter()
    for text in texts:
        function(text)
    return (time.perf_counter() - start) / len(texts)


with tempfile.TemporaryDirectory() as folder:
    before = explain_before(folder)
    for text in PASTES + PLAIN:  # warm up: data files, regular expressions, catalogue
        explain(text)
    for text in PLAIN if before else ():
        before(text)
    plain_samples, paste_samples, before_samples = [], [], []
    for _ in range(400):  # interleaved, so drift hits every side alike
        plain_samples.append(per_call(PLAIN))
        paste_samples.append(per_call(PASTES))
        if before:
            before_samples.append(per_call(PLAIN, before))

plain, pastes = statistics.median(plain_samples), statistics.median(paste_samples)
ratio = pastes / plain
print(f"explain() on mixed pastes: {pastes * 1e6:.1f} µs per paste vs {plain * 1e6:.1f} µs per "
      f"plain reply -> ratio {ratio:.2f} (target <= 3) {'ok' if ratio <= 3 else 'OVER TARGET'}")
if before_samples:
    old = statistics.median(before_samples)
    ratio = pastes / old
    print(f"explain() on mixed pastes vs explain() at {BEFORE} on plain replies: {pastes * 1e6:.1f} "
          f"µs vs {old * 1e6:.1f} µs -> ratio {ratio:.2f} (target <= 3) "
          f"{'ok' if ratio <= 3 else 'OVER TARGET'}; plain replies now {plain / old:.2f}x then")
else:
    print(f"explain() at {BEFORE}: no git history here, so that baseline is left out")
