"""explain() per paste on a mixed set of pastes, against explain() on plain replies (target: 3x).

A learner pastes a traceback, a library's error, a log line or a bounce; explain() has to find the
reply in it before it explains it. The baseline is explain() on plain replies, measured in the same
process and interleaved with the pastes, so machine load hits both alike. (Before it read pastes,
explain() took about 15-25 µs per plain reply here; the plain-reply figure below shows whether the
fast path kept that.)
"""

import statistics
import time

from smtplesson import explain

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


def per_call(texts: list[str]) -> float:
    """Seconds per explain() call, over one pass through ``texts``."""
    start = time.perf_counter()
    for text in texts:
        explain(text)
    return (time.perf_counter() - start) / len(texts)


for text in PASTES + PLAIN:  # warm up: data files, regular expressions, catalogue
    explain(text)
plain_samples, paste_samples = [], []
for _ in range(400):  # interleaved, so drift hits both sides alike
    plain_samples.append(per_call(PLAIN))
    paste_samples.append(per_call(PASTES))
plain, pastes = statistics.median(plain_samples), statistics.median(paste_samples)
ratio = pastes / plain
print(f"explain() on mixed pastes: {pastes * 1e6:.1f} µs per paste vs {plain * 1e6:.1f} µs per "
      f"plain reply -> ratio {ratio:.2f} (target <= 3) {'ok' if ratio <= 3 else 'OVER TARGET'}")
