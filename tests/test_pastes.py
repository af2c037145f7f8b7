"""explain() on what learners really paste: one row per paste, with what a reader should learn.

Every paste below is written for this test in the shape each program or server prints (host
names, ids and addresses are invented); the expectations are written out here, not read from
smtplesson's data: the reply code, the enhanced code, the command the paste names, the provider
entry, and the words that say where the reply was read from.
"""

from __future__ import annotations

import os
import smtplib
import subprocess
import sys
from dataclasses import dataclass
from html import escape

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from smtplesson import ReplyParseError, explain
from smtplesson.i18n import t

END = "(end of data)"


@dataclass(frozen=True)
class Paste:
    id: str
    family: str  # the key of the "Read from" words; "" for a bare reply or transcript
    text: object
    code: int | None  # the reply that decides the card (None: the paste holds no reply code)
    enhanced: str | None = None
    command: str | None = None
    provider: str | None = None
    kind: str = "paste"
    notes: tuple[str, ...] = ()  # words the card's notes must contain
    auth: str | None = None  # auth_outcome of a dialogue


GMAIL_535 = ("535-5.7.8 Username and Password not accepted. For more information, go to\n"
             "535 5.7.8  https://support.google.com/mail/?p=BadCredentials e4-2002a - gsmtp")

PASTES = [
    # --- Python smtplib: tracebacks, last lines, exception objects ---------------------------------
    Paste("py-traceback-gmail", "python",
          "Traceback (most recent call last):\n"
          '  File "/home/asha/report/send.py", line 21, in <module>\n'
          "    smtp.login(USER, PASSWORD)\n"
          '  File "/usr/lib/python3.12/smtplib.py", line 750, in login\n'
          "    raise last_exception\n"
          '  File "/usr/lib/python3.12/smtplib.py", line 739, in login\n'
          "    (code, resp) = self.auth(\n"
          '  File "/usr/lib/python3.12/smtplib.py", line 662, in auth\n'
          "    raise SMTPAuthenticationError(code, resp)\n"
          "smtplib.SMTPAuthenticationError: (535, b'5.7.8 Username and Password not accepted. "
          "For more information, go to\\n5.7.8  https://support.google.com/mail/?p=BadCredentials "
          "h7-20020a170902 - gsmtp')",
          535, "5.7.8", "AUTH", "gmail-bad-credentials", kind="smtplib"),
    Paste("py-lastline-app-password", "python",
          "smtplib.SMTPAuthenticationError: (534, b'5.7.9 Application-specific password required. "
          "For more information, go to\\n5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor "
          "k3-2002 - gsmtp')",
          534, "5.7.9", "AUTH", "gmail-app-password-required", kind="smtplib"),
    Paste("py-recipients-refused", "python",
          "smtplib.SMTPRecipientsRefused: {'ravi@example.org': (550, b'5.1.1 <ravi@example.org>: "
          "Recipient address rejected: User unknown in local recipient table'), 'meera@example.org': "
          "(550, b'5.1.1 <meera@example.org>: Recipient address rejected: User unknown in local "
          "recipient table')}",
          550, "5.1.1", "RCPT TO:<ravi@example.org>", "postfix-user-unknown", kind="smtplib",
          notes=("refused 2 recipients", "meera@example.org (550)")),
    Paste("py-sender-refused", "python",
          "smtplib.SMTPSenderRefused: (553, b'5.7.1 <asha@example.net>: Sender address rejected: not "
          "owned by user asha@example.com', 'asha@example.net')",
          553, "5.7.1", "MAIL FROM:<asha@example.net>", kind="smtplib"),
    Paste("py-data-error-ses", "python",
          "smtplib.SMTPDataError: (554, b'Message rejected: Email address is not verified. The "
          "following identities failed the check in region AP-SOUTH-1: noreply@shop.example.in')",
          554, None, None, "ses-address-not-verified", kind="smtplib",
          notes=("both when the DATA command itself is refused",)),
    Paste("py-disconnected", "python",
          "smtplib.SMTPServerDisconnected: Connection unexpectedly closed: timed out",
          None, kind="no-code"),
    Paste("py-not-supported", "python",
          "    raise SMTPNotSupportedError(\n"
          "smtplib.SMTPNotSupportedError: SMTP AUTH extension not supported by server.",
          None, kind="no-code"),
    Paste("py-no-suitable-mechanism", "python",
          "smtplib.SMTPException: No suitable authentication method found.", None, kind="no-code"),
    Paste("py-ms-tenant", "python",
          "smtplib.SMTPAuthenticationError: (535, b'5.7.139 Authentication unsuccessful, "
          "SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled "
          "for more information. [MA0PR01CA0042.INDPRD01.PROD.OUTLOOK.COM 2025-03-04T09:12:44.123Z "
          "08DD5B1234567890]')",
          535, "5.7.139", "AUTH", "ms-smtp-auth-disabled-tenant", kind="smtplib"),
    Paste("py-ms-criteria", "python",
          "smtplib.SMTPAuthenticationError: (535, b'5.7.139 Authentication unsuccessful, the request "
          "did not meet the criteria to be authenticated successfully. Contact your administrator. "
          "[PN3P287CA0011.INDP287.PROD.OUTLOOK.COM]')",
          535, "5.7.139", "AUTH", "ms-criteria-not-met", kind="smtplib"),
    Paste("py-ms-basic-auth-retired", "python",
          "smtplib.SMTPAuthenticationError: (550, b'5.7.30 Basic authentication is not supported for "
          "Client Submission.')",
          550, "5.7.30", "AUTH", "ms-basic-auth-retired", kind="smtplib"),
    Paste("py-send-as", "python",
          "smtplib.SMTPDataError: (550, b'5.7.60 SMTP; Client does not have permissions to send as "
          "this sender')",
          550, "5.7.60", None, "ms-send-as-denied", kind="smtplib"),
    Paste("py-django-debug-page", "python",
          "SMTPAuthenticationError at /accounts/signup/\n"
          "(535, b'5.7.8 Username and Password not accepted. For more information, go to\\n5.7.8  "
          "https://support.google.com/mail/?p=BadCredentials m2-2002 - gsmtp')\n"
          "Request Method:\tPOST\nDjango Version:\t5.0.4",
          535, "5.7.8", "AUTH", "gmail-bad-credentials", kind="smtplib"),
    Paste("py-tuple-in-a-log", "python",
          "2025-01-09 08:14:02 ERROR mailer: could not send the digest: (454, b'4.7.0 Too many login "
          "attempts, please try again later. q1-2002 - gsmtp')",
          454, "4.7.0", None, "gmail-too-many-logins", kind="smtplib"),
    Paste("py-exception-object", "python",
          smtplib.SMTPAuthenticationError(454, b"4.7.0 Too many login attempts, please try again "
                                               b"later. w5-2002 - gsmtp"),
          454, "4.7.0", "AUTH", "gmail-too-many-logins", kind="smtplib"),
    Paste("py-exception-object-disconnected", "python",
          smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), None, kind="no-code"),

    # --- Node.js nodemailer ---------------------------------------------------------------------------
    Paste("node-gmail-full-object", "nodemailer",
          "Error: Invalid login: 535-5.7.8 Username and Password not accepted. For more information, go to\n"
          "535 5.7.8  https://support.google.com/mail/?p=BadCredentials c9-2002 - gsmtp\n"
          "    at SMTPConnection._formatError (/srv/app/node_modules/nodemailer/lib/smtp-connection/index.js:798:19)\n"
          "    at SMTPConnection._actionAUTHComplete (/srv/app/node_modules/nodemailer/lib/smtp-connection/index.js:1577:34)\n"
          "  code: 'EAUTH',\n"
          "  response: '535-5.7.8 Username and Password not accepted. For more information, go to\\n' +\n"
          "    '535 5.7.8  https://support.google.com/mail/?p=BadCredentials c9-2002 - gsmtp',\n"
          "  responseCode: 535,\n"
          "  command: 'AUTH PLAIN'\n}",
          535, "5.7.8", "AUTH PLAIN", "gmail-bad-credentials"),
    Paste("node-ms-basic-auth", "nodemailer",
          "Error: Invalid login: 535 5.7.139 Authentication unsuccessful, basic authentication is "
          "disabled. [SG2PR01CA0123.APCPRD01.PROD.OUTLOOK.COM 2025-01-26T18:54:30.055Z 08DD3DD7D75D0000]\n"
          "    at SMTPConnection._formatError (node_modules/nodemailer/lib/smtp-connection/index.js:809:19)\n"
          "  code: 'EAUTH',\n  responseCode: 535,\n  command: 'AUTH LOGIN'",
          535, "5.7.139", "AUTH LOGIN", "ms-basic-auth-disabled"),
    Paste("node-yahoo", "nodemailer",
          "Error: Invalid login: 535 5.7.0 (#AUTH005) Too many bad auth attempts.",
          535, "5.7.0", "AUTH", "yahoo-auth005"),
    Paste("node-all-recipients", "nodemailer",
          "Error: Can't send mail - all recipients were rejected: 550 5.1.1 <lata@example.org>: "
          "Recipient address rejected: User unknown in virtual mailbox table\n  code: 'EENVELOPE',\n"
          "  command: 'RCPT TO'",
          550, "5.1.1", "RCPT TO", "postfix-user-unknown"),
    Paste("node-message-failed-sendgrid", "nodemailer",
          "Error: Message failed: 550 The from address does not match a verified Sender Identity. Mail "
          "cannot be sent until this error is resolved. Visit https://sendgrid.com/docs/for-developers/"
          "sending-email/sender-identity/ to see the Sender Identity requirements",
          550, None, END, "sendgrid-sender-identity"),
    Paste("node-mail-command-57", "nodemailer",
          "Error: Mail command failed: 530 5.7.57 Client not authenticated to send mail. "
          "[BL1PR13CA0001.namprd13.prod.outlook.com 2024-12-27T10:00:00.000Z 08DD26A0B1C2D3E4]",
          530, "5.7.57", "MAIL FROM", "ms-client-not-authenticated"),
    Paste("node-greeting", "nodemailer",
          "Error: Greeting never received\n"
          "    at SMTPConnection._formatError (/app/node_modules/nodemailer/lib/smtp-connection/index.js:790:19)\n"
          "  code: 'ETIMEDOUT',\n  command: 'CONN'",
          None, kind="no-code"),
    Paste("node-zoho", "nodemailer",
          "Error: Invalid login: 535 Authentication Failed\n  code: 'EAUTH',\n  response: '535 "
          "Authentication Failed',\n  responseCode: 535,\n  command: 'AUTH PLAIN'\n"
          "// transport: { host: 'smtp.zoho.in', port: 465, secure: true }",
          535, None, "AUTH PLAIN", "zoho-authentication-failed"),
    Paste("node-fastmail", "nodemailer",
          "Error: Invalid login: 535 5.7.0 Incorrect username or password.\n"
          "// nodemailer.createTransport({ host: 'smtp.fastmail.com', port: 587 })",
          535, "5.7.0", "AUTH", "fastmail-app-password"),
    Paste("node-gmail-web-login", "nodemailer",
          "Error: Invalid login: 534-5.7.14 <https://accounts.google.com/signin/continue?sarp=1&scc=1&plt=AKgnsbsAbC\n"
          "534-5.7.14 xYz0123> Please log in via your web browser and\n"
          "534-5.7.14 then try again.\n"
          "534-5.7.14  Learn more at\n"
          "534 5.7.14  https://support.google.com/mail/answer/78754 r4-2002 - gsmtp",
          534, "5.7.14", "AUTH", "gmail-web-login-required"),

    # --- PHPMailer -------------------------------------------------------------------------------------
    Paste("php-password-failed", "phpmailer",
          "2024-05-01 10:11:12\tSMTP ERROR: Password command failed: 535 Incorrect authentication data\n"
          "SMTP Error: Could not authenticate.",
          535, None, "AUTH", "exim-incorrect-auth"),
    Paste("php-rcpt-failed", "phpmailer",
          "SMTP ERROR: RCPT TO command failed: 550 5.1.1 <nobody@example.org>: Recipient address "
          "rejected: User unknown in local recipient table",
          550, "5.1.1", "RCPT TO", "postfix-user-unknown"),
    Paste("php-errorinfo-parts", "phpmailer",
          "Message could not be sent. Mailer Error: SMTP Error: data not accepted.SMTP server error: "
          "DATA END command failed Detail: SMTP; Client does not have permissions to send as this sender "
          "SMTP code: 550 Additional SMTP info: 5.7.60",
          550, "5.7.60", END, "ms-send-as-denied", notes=("Rebuilt from the parts",)),
    Paste("php-starttls-failed", "phpmailer",
          "SMTP ERROR: MAIL FROM command failed: 530 5.7.0 Must issue a STARTTLS command first. "
          "y8-2002 - gsmtp",
          530, "5.7.0", "MAIL FROM", "gmail-starttls-first"),

    # --- Laravel / Symfony Mailer / SwiftMailer ----------------------------------------------------------
    Paste("laravel-gmail", "symfony",
          'Expected response code "235" but got code "535", with message "535-5.7.8 Username and '
          'Password not accepted. For more information, go to\r\n535 5.7.8  '
          'https://support.google.com/mail/?p=BadCredentials d2-2002 - gsmtp".',
          535, "5.7.8", "AUTH", "gmail-bad-credentials"),
    Paste("laravel-log-json", "symfony",
          '[2024-06-01 09:00:00] production.ERROR: Expected response code "250/251/252" but got code '
          '"550", with message "550 5.1.1 <ravi@example.org>: Recipient address rejected: User unknown '
          'in local recipient table". {"exception":"[object] (Symfony\\\\Component\\\\Mailer\\\\Exception'
          '\\\\UnexpectedResponseException(code: 550): Expected response code ..."}',
          550, "5.1.1", "RCPT TO", "postfix-user-unknown"),
    Paste("symfony-authenticator", "symfony",
          'Failed to authenticate on SMTP server with username "reports@example.com" using the '
          'following authenticators: "LOGIN". Authenticator "LOGIN" returned "Expected response code '
          '"235" but got code "535", with message "535 5.7.139 Authentication unsuccessful, the user '
          'credentials were incorrect. [BYAPR01CA0001.namprd01.prod.outlook.com]".".',
          535, "5.7.139", "AUTH LOGIN", "ms-credentials-incorrect"),
    Paste("symfony-empty-response", "symfony",
          'Connection could not be established with host "ssl://smtp.example.com:587": Expected '
          'response code "220" but got an empty response',
          None, kind="no-code"),
    Paste("swiftmailer-starttls", "swiftmailer",
          "Swift_TransportException: Expected response code 250 but got code \"530\", with message "
          "\"530 5.7.0 Must issue a STARTTLS command first. c7-2002 - gsmtp\r\n\"",
          530, "5.7.0", None, "gmail-starttls-first"),
    Paste("swiftmailer-send-as", "swiftmailer",
          'Expected response code 250 but got code "550", with message "550 5.7.60 SMTP; Client does '
          'not have permissions to send as this sender [MW4PR03CA0001.namprd03.prod.outlook.com]"',
          550, "5.7.60", None, "ms-send-as-denied"),

    # --- Jakarta Mail / JavaMail ----------------------------------------------------------------------------
    Paste("jakarta-too-many", "java",
          "jakarta.mail.AuthenticationFailedException: 454 4.7.0 Too many login attempts, please try "
          "again later. t9-2002 - gsmtp\n\tat org.eclipse.angus.mail.smtp.SMTPTransport$Authenticator"
          ".authenticate(SMTPTransport.java:954)",
          454, "4.7.0", "AUTH", "gmail-too-many-logins"),
    Paste("java-nested-address", "java",
          "javax.mail.SendFailedException: Invalid Addresses;\n  nested exception is:\n"
          "\tcom.sun.mail.smtp.SMTPAddressFailedException: 550 5.1.1 <nobody@example.org>... User unknown\n",
          550, "5.1.1", "RCPT TO"),
    Paste("java-sender-nested", "java",
          "com.sun.mail.smtp.SMTPSendFailedException: 530 5.7.0 Must issue a STARTTLS command first. "
          "b12-2002 - gsmtp\n;\n  nested exception is:\n\tcom.sun.mail.smtp.SMTPSenderFailedException: "
          "530 5.7.0 Must issue a STARTTLS command first. b12-2002 - gsmtp",
          530, "5.7.0", "MAIL FROM", "gmail-starttls-first"),
    Paste("spring-ms-5-7-3", "java",
          "org.springframework.mail.MailAuthenticationException: Authentication failed; nested "
          "exception is javax.mail.AuthenticationFailedException: 535 5.7.3 Authentication unsuccessful "
          "[DB6P18901CA0015.EURP189.PROD.OUTLOOK.COM]",
          535, "5.7.3", "AUTH", "ms-5-7-3-unsuccessful"),

    # --- .NET SmtpException and MailKit: the basic code is dropped -------------------------------------------
    Paste("dotnet-530-deduced", "dotnet",
          "System.Net.Mail.SmtpException: The SMTP server requires a secure connection or the client "
          "was not authenticated. The server response was: 5.7.0 Authentication Required. Learn more at\n"
          "   at System.Net.Mail.MailCommand.CheckResponse(SmtpStatusCode statusCode, String response)",
          530, "5.7.0", notes=("status 530",)),
    Paste("dotnet-550-deduced", "dotnet",
          "System.Net.Mail.SmtpFailedRecipientException: Mailbox unavailable. The server response was: "
          "5.1.1 <ravi@example.org>: Recipient address rejected: User unknown in local recipient table",
          550, "5.1.1", None, "postfix-user-unknown"),
    Paste("dotnet-450-deduced", "dotnet",
          "System.Net.Mail.SmtpException: Mailbox unavailable. The server response was: 4.2.0 "
          "<ravi@example.org>: Recipient address rejected: Greylisted, see "
          "http://postgrey.schweikert.ch/help/example.org.html",
          450, "4.2.0", None, "postgrey-greylisted"),
    Paste("dotnet-5-7-57", "dotnet",
          "System.Net.Mail.SmtpException: The SMTP server requires a secure connection or the client "
          "was not authenticated. The server response was: 5.7.57 Client not authenticated to send "
          "mail. [PN2PR01CA0099.INDPRD01.PROD.OUTLOOK.COM]",
          530, "5.7.57", None, "ms-client-not-authenticated"),
    Paste("dotnet-enhanced-only", "dotnet",
          "System.Net.Mail.SmtpException: Syntax error, command unrecognized. The server response was: "
          "5.5.1 Unrecognized command",
          None, "5.5.1", kind="enhanced"),
    Paste("mailkit-auth-5-7-3", "mailkit",
          "MailKit.Security.AuthenticationException: AuthenticationInvalidCredentials: 5.7.3 "
          "Authentication unsuccessful [BN3PR03CA0067.namprd03.prod.outlook.com]",
          None, "5.7.3", provider="ms-5-7-3-unsuccessful", kind="enhanced"),
    Paste("mailkit-mailbox-disabled", "mailkit",
          "MailKit.Net.Smtp.SmtpCommandException: 5.7.139 Authentication unsuccessful, "
          "SmtpClientAuthentication is disabled for the Mailbox. Visit https://aka.ms/smtp_auth_disabled",
          None, "5.7.139", provider="ms-smtp-auth-disabled-mailbox", kind="enhanced"),

    # --- Ruby Net::SMTP ----------------------------------------------------------------------------------------
    Paste("ruby-mailgun", "ruby",
          "Net::SMTPAuthenticationError: 535 5.7.0 Mailgun is not loving your login or password",
          535, "5.7.0", "AUTH", "mailgun-bad-credentials"),
    Paste("ruby-fatal-sendgrid", "ruby",
          "Net::SMTPFatalError: 550 The from address does not match a verified Sender Identity. Mail "
          "cannot be sent until this error is resolved.",
          550, None, None, "sendgrid-sender-identity"),
    Paste("ruby-old-form", "ruby",
          "/usr/lib/ruby/2.7.0/net/smtp.rb:975:in `check_auth_response': 530 5.7.0 Must issue a "
          "STARTTLS command first. p5-2002 - gsmtp (Net::SMTPAuthenticationError)",
          530, "5.7.0", "AUTH", "gmail-starttls-first"),
    Paste("ruby-rails-log", "ruby",
          "Net::SMTPAuthenticationError (" + GMAIL_535 + "\n):",
          535, "5.7.8", "AUTH", "gmail-bad-credentials"),
    Paste("ruby-server-busy", "ruby",
          "Net::SMTPServerBusy: 454 4.7.1 <ravi@example.org>: Relay access denied",
          454, "4.7.1", None, "postfix-relay-deferred"),

    # --- Go and other texts around a reply -------------------------------------------------------------------
    Paste("go-auth-error", "go",
          "2025/10/07 16:27:16 ERROR: Mail Error on Auth: 454 4.7.0 Too many login attempts, please "
          "try again later. For more information, go to\n4.7.0  https://support.google.com/mail/answer/"
          "7126229 a1-2002 - gsmtp",
          454, "4.7.0", None, "gmail-too-many-logins", notes=("lost their code",)),
    Paste("go-wrapped-error", "go",
          "Failed to send test email: GoError: 535 5.7.8 Username and Password not accepted. For more "
          "information, go to\n5.7.8 https://support.google.com/mail/?p=BadCredentials ffacd0 - gsmtp",
          535, "5.7.8", None, "gmail-bad-credentials"),
    Paste("embedded-gophish", "embedded",
          "Error Max connection attempts exceeded - 535 5.7.8 Username and Password not accepted. "
          "Learn more at 5.7.8 https://support.google.com/mail/?p=BadCredentials d4-2002 - gsmtp",
          535, "5.7.8", None, "gmail-bad-credentials"),
    Paste("embedded-brevo", "embedded",
          "Failed: Authentication failed: 535 5.7.0 Invalid login or password",
          535, "5.7.0", None, "brevo-invalid-login"),
    Paste("embedded-sendgrid", "embedded",
          "Ran into problems sending email at Line 1553. Response: 535 Authentication failed: Bad "
          "username / password",
          535, None, None, "sendgrid-bad-credentials"),
    Paste("embedded-zoho-relay", "embedded",
          "Connection unsuccessful: SendMail: Failed to close connection to SMTP server, 553 Relaying "
          "disallowed as reports@example.com",
          553, None, None, "zoho-relaying-disallowed"),
    Paste("embedded-ms-504", "embedded",
          "email: FATAL: Smtp error: 504 5.7.4 Unrecognized authentication type "
          "[SN1NAM02FT025.eop-nam02.prod.protection.outlook.com]",
          504, "5.7.4", None, "ms-unrecognized-auth-type"),

    # --- Postfix logs and bounces --------------------------------------------------------------------------
    Paste("postfix-reject-454-relay", "postfix",
          "Jun 17 17:22:21 mx1 postfix/smtpd[23307]: NOQUEUE: reject: RCPT from unknown[198.51.100.7]: "
          "454 4.7.1 <ravi@example.org>: Relay access denied; from=<asha@example.net> "
          "to=<ravi@example.org> proto=ESMTP helo=<laptop>",
          454, "4.7.1", "RCPT TO:<ravi@example.org>", "postfix-relay-deferred"),
    Paste("postfix-reject-554-relay", "postfix",
          "Jan 12 16:54:57 mail postfix/smtpd[16273]: NOQUEUE: reject: RCPT from client.example.net"
          "[198.51.100.20]: 554 5.7.1 <someone@elsewhere.example>: Relay access denied; "
          "from=<app@example.com> to=<someone@elsewhere.example> proto=ESMTP helo=<client.example.net>",
          554, "5.7.1", "RCPT TO:<someone@elsewhere.example>", "postfix-relay-denied"),
    Paste("postfix-reject-greylisted", "postfix",
          "Feb 17 23:37:07 mx1 postfix/smtpd[3905]: NOQUEUE: reject: RCPT from mail.example.net"
          "[192.0.2.5]: 450 4.2.0 <ravi@example.org>: Recipient address rejected: Greylisted, see "
          "http://postgrey.schweikert.ch/help/example.org.html; from=<news@example.net> "
          "to=<ravi@example.org> proto=ESMTP helo=<mail.example.net>",
          450, "4.2.0", "RCPT TO:<ravi@example.org>", "postgrey-greylisted"),
    Paste("postfix-reject-size", "postfix",
          "Jun  9 12:09:00 mail postfix/smtpd[31018]: NOQUEUE: reject: MAIL from big.example.net"
          "[203.0.113.60]: 552 5.3.4 Message size exceeds fixed limit; proto=ESMTP helo=<big.example.net>",
          552, "5.3.4", "MAIL FROM"),
    Paste("postfix-bounced-said", "postfix",
          "Mar  3 10:00:01 mx1 postfix/smtp[999]: 4F2A1B: to=<ravi@example.org>, relay=mx.example.org"
          "[192.0.2.10]:25, delay=1, dsn=5.1.1, status=bounced (host mx.example.org[192.0.2.10] said: "
          "550 5.1.1 <ravi@example.org>: Recipient address rejected: User unknown in local recipient "
          "table (in reply to RCPT TO command))",
          550, "5.1.1", "RCPT TO:<ravi@example.org>", "postfix-user-unknown"),
    Paste("postfix-said-end-of-data", "postfix",
          "status=bounced (host mx.example.org[192.0.2.10] said: 552 5.3.4 Message size exceeds fixed "
          "limit (in reply to end of DATA command))",
          552, "5.3.4", END),
    Paste("postfix-deferred-sasl-ms", "postfix",
          "Nov 06 12:50:05 relay postfix/smtp[13367]: 70A7A6: to=<lata@example.org>, relay=smtp.office365.com"
          "[52.96.88.210]:587, delay=31, dsn=4.7.3, status=deferred (SASL authentication failed; server "
          "smtp.office365.com[52.96.88.210] said: 535 5.7.3 Authentication unsuccessful "
          "[YT1PR01CA0061.CANPRD01.PROD.OUTLOOK.COM])",
          535, "5.7.3", "AUTH", "ms-5-7-3-unsuccessful"),
    Paste("postfix-deferred-icloud", "postfix",
          "status=deferred (SASL authentication failed; server smtp.mail.me.com[17.42.251.62] said: "
          "535 5.7.8 Authentication failed)",
          535, "5.7.8", "AUTH", "icloud-app-specific-password"),
    Paste("postfix-bounce-folded-gmail", "postfix",
          "<ravi@gmail.example>: host gmail-smtp-in.l.google.com[142.250.0.26] said:\n"
          "    550-5.1.1 The email account that you tried to reach does not exist. Please\n"
          "    try 550-5.1.1 double-checking the recipient's email address for typos or\n"
          "    550-5.1.1 unnecessary spaces. For more information, go to 550 5.1.1\n"
          "    https://support.google.com/mail/?p=NoSuchUser x5-2002 - gsmtp (in reply to\n"
          "    RCPT TO command)",
          550, "5.1.1", "RCPT TO", "gmail-no-such-user", notes=("joined the 4 lines",)),
    Paste("postfix-sasl-login-log", "postfix_sasl",
          "Oct 24 06:58:53 mx1 postfix/submission/smtpd[25795]: warning: unknown[203.0.113.9]: SASL "
          "LOGIN authentication failed: authentication failure",
          535, "5.7.8", "AUTH LOGIN", "postfix-sasl-failed", notes=("holds no reply code",)),
    Paste("postfix-sasl-new-format", "postfix_sasl",
          "warning: unknown[203.0.113.44]: SASL PLAIN authentication failed: (reason unavailable), "
          "sasl_username=asha@example.com",
          535, "5.7.8", "AUTH PLAIN", "postfix-sasl-failed"),

    # --- Exim -----------------------------------------------------------------------------------------------
    Paste("exim-rcpt-log", "exim",
          "2025-02-17 17:59:47 1tk2b3-006Xtp-0N ** ravi@example.org R=dnslookup T=remote_smtp "
          "H=mx.example.org [192.0.2.10]: SMTP error from remote mail server after RCPT "
          "TO:<ravi@example.org>: 550 5.1.1 User unknown",
          550, "5.1.1", "RCPT TO:<ravi@example.org>"),
    Paste("exim-mainlog-escaped", "exim",
          "2019-10-19 15:30:30 1iLooQ-0002aM-3F ** me@gmail.example R=smarthost T=remote_smtp_smarthost "
          "H=smtp.gmail.com [64.233.184.108] X=TLS1.2:ECDHE_RSA_CHACHA20_POLY1305:256 CV=yes: SMTP error "
          "from remote mail server after pipelined MAIL FROM:<pi@raspberrypi.example> SIZE=1410: "
          "530-5.7.0 Authentication Required. Learn more at\\n530 5.7.0  "
          "https://support.google.com/mail/?p=WantAuthError z13-2002 - gsmtp",
          530, "5.7.0", "MAIL FROM:<pi@raspberrypi.example> SIZE=1410", "gmail-auth-required"),
    Paste("exim-bounce-multiline", "exim",
          "This message was created automatically by mail delivery software.\n\n"
          "  ravi@example.org\n"
          "    host aspmx.l.google.com [142.250.27.27]\n"
          "    SMTP error from remote mail server after RCPT TO:<ravi@example.org>:\n"
          "    550-5.1.1 The email account that you tried to reach does not exist. Please try\n"
          "    550-5.1.1 double-checking the recipient's email address for typos or\n"
          "    550 5.1.1  https://support.google.com/mail/?p=NoSuchUser a1-2002 - gsmtp\n",
          550, "5.1.1", "RCPT TO:<ravi@example.org>", "gmail-no-such-user"),
    Paste("exim-ses-end-of-data", "exim",
          "2017-06-19 13:04:47 1dMwMJ-0005jM-Eq ** ops@example.com R=send_via_ses T=ses_smtp "
          "H=email-smtp.eu-west-1.amazonaws.com [34.248.0.1]: SMTP error from remote mail server after "
          "end of data: 554 Message rejected: Email address is not verified. The following identities "
          "failed the check in region EU-WEST-1: root@ip-10-0-0-1.example.internal",
          554, None, END, "ses-address-not-verified"),
    Paste("exim-authenticator-log", "exim",
          "2024-02-02 10:00:00 login authenticator failed for (laptop) [198.51.100.23]: 535 Incorrect "
          "authentication data (set_id=asha@example.com)",
          535, None, "AUTH LOGIN", "exim-incorrect-auth"),

    # --- Sendmail, Exchange, delivery status notifications ------------------------------------------------
    Paste("sendmail-stat-deferred", "sendmail",
          "Mar  5 09:00:00 relay sendmail[4242]: 2A5K0abc123: to=<ravi@example.org>, delay=00:00:02, "
          "mailer=esmtp, pri=120000, relay=mx.example.org. [192.0.2.10], dsn=4.0.0, stat=Deferred: 421 "
          "4.7.0 Try again later, closing connection.",
          421, "4.7.0"),
    Paste("exchange-remote-server", "exchange",
          "Diagnostic information for administrators:\nGenerating server: EX01.corp.example.com\n"
          "lata@example.org\nRemote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; "
          "Recipient not found by SMTP address lookup'",
          550, "5.1.10"),
    Paste("exchange-smtp-inner", "exchange",
          "Remote Server returned '< #5.1.1 smtp;550 5.1.1 <ravi@example.org>: Recipient address "
          "rejected: User unknown in virtual mailbox table>'",
          550, "5.1.1", None, "postfix-user-unknown"),
    Paste("exchange-old-hash", "exchange",
          "ravi@example.org on 3/5/2025 9:00 AM\n    The e-mail address you entered couldn't be found.\n"
          "    <mail.example.org #550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##rfc822;ravi@example.org>",
          550, "5.1.1"),
    Paste("dsn-relay-denied", "dsn",
          "Final-Recipient: rfc822; lata@example.org\nAction: failed\nStatus: 5.7.1\n"
          "Remote-MTA: dns; mail.example.org\n"
          "Diagnostic-Code: smtp; 554 5.7.1 <lata@example.org>: Relay access denied\n"
          "Last-Attempt-Date: Sat, 02 Jun 2025 15:03:12 -0700 (PDT)",
          554, "5.7.1", None, "postfix-relay-denied"),
    Paste("dsn-folded-joined", "dsn",
          "Diagnostic-Code: smtp; 550-5.1.1 The email account that you tried to reach does not exist. "
          "Please try\n    550-5.1.1 double-checking the recipient's email address for typos or\n"
          "    550 5.1.1 unnecessary spaces. https://support.google.com/mail/?p=NoSuchUser x - gsmtp",
          550, "5.1.1", None, "gmail-no-such-user", notes=("joined the 3 lines",)),
    Paste("dsn-status-only", "dsn", "Action: failed\nStatus: 5.1.1\n", None, "5.1.1",
          kind="enhanced"),

    # --- whole dialogues from debug logs ----------------------------------------------------------------
    Paste("debug-nodemailer-two-sessions", "debug_log",
          "[2025-11-16 11:57:21] DEBUG [cDYfWw5r] S: 334 VXNlcm5hbWU6\n"
          "[2025-11-16 11:57:21] DEBUG [lHr1v5x3] S: 334 VXNlcm5hbWU6\n"
          "[2025-11-16 11:57:21] DEBUG [lHr1v5x3] C: cmVwb3J0c0BleGFtcGxlLmNvbQ==\n"
          "[2025-11-16 11:57:21] DEBUG [lHr1v5x3] S: 334 UGFzc3dvcmQ6\n"
          "[2025-11-16 11:57:21] DEBUG [lHr1v5x3] C: /* secret */\n"
          "[2025-11-16 11:57:26] DEBUG [lHr1v5x3] S: 535 5.7.139 Authentication unsuccessful, "
          "SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled "
          "for more information. [TY1PR01CA0183.jpnprd01.prod.outlook.com]\n"
          "[2025-11-16 11:57:26] INFO  [lHr1v5x3] User \"reports@example.com\" failed to authenticate",
          535, "5.7.139", "(AUTH) /* secret */", "ms-smtp-auth-disabled-tenant", kind="transcript",
          auth="failure"),
    Paste("smtplib-debuglevel", "smtplib_debug",
          "send: 'ehlo [127.0.1.1]\\r\\n'\n"
          "reply: b'250-smtp.gmail.com at your service, [203.0.113.7]\\r\\n'\n"
          "reply: b'250-SIZE 35882577\\r\\n'\n"
          "reply: b'250-AUTH LOGIN PLAIN XOAUTH2 PLAIN-CLIENTTOKEN OAUTHBEARER XOAUTH\\r\\n'\n"
          "reply: b'250 SMTPUTF8\\r\\n'\n"
          "reply: retcode (250); Msg: b'smtp.gmail.com at your service, [203.0.113.7]'\n"
          "send: 'AUTH PLAIN AGFzaGFAZ21haWwuZXhhbXBsZQBteS1ub3JtYWwtcGFzc3dvcmQ=\\r\\n'\n"
          "reply: b'534-5.7.9 Application-specific password required. For more information, go to\\r\\n'\n"
          "reply: b'534 5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor a2-2002 - gsmtp\\r\\n'\n"
          "reply: retcode (534); Msg: b'5.7.9 Application-specific password required.'",
          534, "5.7.9", "AUTH PLAIN AGFzaGFAZ21haWwuZXhhbXBsZQBteS1ub3JtYWwtcGFzc3dvcmQ=",
          "gmail-app-password-required", kind="transcript", auth="failure"),
    Paste("postfix-debug-xoauth2", "postfix_debug",
          "Nov 06 12:49:59 relay postfix/smtp[13369]: > smtp.gmail.com[142.250.1.108]:587: AUTH XOAUTH2 "
          "dXNlcj1yZXBvcnRzQGV4YW1wbGUuY29tAWF1dGg9QmVhcmVyIHlhMjkuZXhwaXJlZAEB\n"
          "Nov 06 12:49:59 relay postfix/smtp[13369]: < smtp.gmail.com[142.250.1.108]:587: 334 "
          "eyJzdGF0dXMiOiI0MDAiLCJzY2hlbWVzIjoiQmVhcmVyIiwic2NvcGUiOiJodHRwczovL21haWwuZ29vZ2xlLmNvbS8ifQ==\n"
          "Nov 06 12:49:59 relay postfix/smtp[13369]: > smtp.gmail.com[142.250.1.108]:587:\n"
          "Nov 06 12:49:59 relay postfix/smtp[13369]: < smtp.gmail.com[142.250.1.108]:587: 535-5.7.8 "
          "Username and Password not accepted. For more information, go to\n"
          "Nov 06 12:49:59 relay postfix/smtp[13369]: < smtp.gmail.com[142.250.1.108]:587: 535 5.7.8  "
          "https://support.google.com/mail/?p=BadCredentials b3-2002 - gsmtp",
          535, "5.7.8", "(AUTH) ", "gmail-bad-credentials", kind="transcript", auth="failure"),
    Paste("swaks-session", "swaks",
          "=== Trying mail.example.org:587...\n=== Connected to mail.example.org.\n"
          "<-  220 mail.example.org ESMTP Postfix\n -> EHLO laptop.example.net\n"
          "<-  250-mail.example.org\n<-  250-AUTH PLAIN LOGIN\n<-  250 8BITMIME\n"
          " -> AUTH PLAIN AGFzaGEAd3Jvbmc=\n"
          "<** 535 5.7.8 Error: authentication failed: authentication failure\n"
          " -> QUIT\n<-  221 2.0.0 Bye\n=== Connection closed with remote host.",
          535, "5.7.8", "AUTH PLAIN AGFzaGEAd3Jvbmc=", "postfix-sasl-failed", kind="transcript",
          auth="failure"),
    Paste("got-sent-log", "got_sent",
          "Connecting to smtp.mail.example at 587\nGot: 220 mailsub2.mail.example ESMTP Postfix\n"
          "Sent: EHLO [172.17.0.20]\nGot: 250-mailsub2.mail.example\nGot: 250-AUTH PLAIN\n"
          "Got: 250 CHUNKING\nSent: AUTH LOGIN\n"
          "Got: 535 5.7.8 Error: authentication failed: Invalid authentication mechanism",
          535, "5.7.8", "AUTH LOGIN", "postfix-dovecot-wrong-mechanism", kind="transcript",
          auth="failure"),
    Paste("phpmailer-debug", "phpmailer_debug",
          "2025-01-02 17:37:19 SERVER -> CLIENT: 220 smtp.mail.yahoo.example ESMTP ready\n"
          "2025-01-02 17:37:19 CLIENT -> SERVER: EHLO shop.example.com\n"
          "2025-01-02 17:37:20 SERVER -> CLIENT: 250-smtp.mail.yahoo.example Hello shop.example.com\n"
          "250-PIPELINING\n250 AUTH PLAIN LOGIN XOAUTH2\n"
          "2025-01-02 17:37:20 CLIENT -> SERVER: AUTH LOGIN\n"
          "2025-01-02 17:37:20 SERVER -> CLIENT: 334 VXNlcm5hbWU6\n"
          "2025-01-02 17:37:20 CLIENT -> SERVER: [credentials hidden]\n"
          "2025-01-02 17:37:20 SERVER -> CLIENT: 334 UGFzc3dvcmQ6\n"
          "2025-01-02 17:37:20 CLIENT -> SERVER: [credentials hidden]\n"
          "2025-01-02 17:37:20 SERVER -> CLIENT: 535 5.7.0 (#AUTH005) Too many bad auth attempts.\n"
          "2025-01-02 17:37:20 SMTP ERROR: Password command failed: 535 5.7.0 (#AUTH005) Too many bad "
          "auth attempts.",
          535, "5.7.0", "(AUTH) [credentials hidden]", "yahoo-auth005", kind="transcript",
          auth="failure"),
    Paste("sendmail-transcript", "sendmail_transcript",
          "   ----- Transcript of session follows -----\n... while talking to mx.example.org.:\n"
          ">>> MAIL From:<alerts@example.com> SIZE=2048\n"
          "<<< 250 2.1.0 <alerts@example.com>... Sender ok\n"
          ">>> RCPT To:<nobody@example.org>\n<<< 550 5.1.1 <nobody@example.org>... User unknown\n"
          "550 5.1.1 nobody@example.org... User unknown",
          550, "5.1.1", "RCPT To:<nobody@example.org>", kind="transcript", auth="none"),
    Paste("midway-auth-login", "",
          "S: 334 VXNlcm5hbWU6\nC: YXNoYQ==\nS: 334 UGFzc3dvcmQ6\nC: d3Jvbmc=\n"
          "S: 535 5.7.8 Authentication credentials invalid",
          535, "5.7.8", "(AUTH) d3Jvbmc=", kind="transcript", auth="failure"),
    Paste("transcript-security-defaults", "",
          "S: 220 BL1PR13CA0330.outlook.office365.com Microsoft ESMTP MAIL Service ready\n"
          "C: EHLO laptop\nS: 250-BL1PR13CA0330.outlook.office365.com Hello [198.51.100.1]\n"
          "S: 250 AUTH LOGIN XOAUTH2\nC: AUTH LOGIN\nS: 334 VXNlcm5hbWU6\nC: bGF0YUBleGFtcGxlLm9yZw==\n"
          "S: 334 UGFzc3dvcmQ6\nC: c2VjcmV0\n"
          "S: 535 5.7.139 Authentication unsuccessful, user is locked by your organization's security "
          "defaults policy. Contact your administrator.",
          535, "5.7.139", "(AUTH) c2VjcmV0", "ms-security-defaults", kind="transcript",
          auth="failure"),

    # --- bare replies, some damaged ------------------------------------------------------------------------
    Paste("bare-joined", "", "550-5.7.1 first part of the reason 550 5.7.1 second part of the reason",
          550, "5.7.1", kind="reply", notes=("joined the 2 lines",)),
    Paste("bare-only-dash-lines", "",
          "535-5.7.8 Username and Password not accepted. For more information, go to\n"
          "535-5.7.8  https://support.google.com/mail/?p=BadCredentials n6-2002 - gsmtp",
          535, "5.7.8", None, "gmail-bad-credentials", kind="reply", notes=("final line",)),
    Paste("bare-long-line", "",
          "550 5.7.1 Service unavailable, Client host [198.51.100.7] blocked using a reputation list; "
          + "this reply carries a long explanation that keeps going " * 9 + "[AM0PR01MB0001]",
          550, "5.7.1", kind="reply", notes=("RFC 5321 §4.5.3.1.5",)),
    Paste("bare-non-ascii", "",
          "550 5.1.1 Die Adresse <lata@example.de> ist unbekannt. Bitte prüfen Sie die Schreibweise.",
          550, "5.1.1", kind="reply", notes=("U+00FC",)),
    Paste("bare-codes-dropped", "",
          "535 5.7.8 Username and Password not accepted. For more information, go to\n"
          "5.7.8  https://support.google.com/mail/?p=BadCredentials z1-2002 - gsmtp",
          535, "5.7.8", None, "gmail-bad-credentials", kind="reply", notes=("lost their code",)),
    Paste("bare-in-reply-to", "",
          "550 5.1.1 <ravi@example.org>: Recipient address rejected: User unknown in local recipient "
          "table (in reply to RCPT TO command)",
          550, "5.1.1", "RCPT TO", "postfix-user-unknown", kind="reply"),
    Paste("bare-courier-size", "", "534 SIZE=Message too big.", 534, None, None,
          "courier-size-too-big", kind="reply"),
    Paste("bare-relay-454", "", "454 4.7.1 <ravi@example.org>: Relay access denied", 454, "4.7.1",
          None, "postfix-relay-deferred", kind="reply"),
    Paste("bare-exim-relay", "", "550 relay not permitted", 550, None, None,
          "exim-relay-not-permitted", kind="reply"),
    Paste("bare-exim-435", "", "435 Unable to authenticate at present", 435, None, None,
          "exim-unable-to-authenticate", kind="reply"),
    Paste("bare-exim-503", "", "503 AUTH command used when not advertised", 503, None, None,
          "exim-auth-not-advertised", kind="reply"),
    Paste("bare-ses-credentials", "", "535 Authentication Credentials Invalid", 535, None, None,
          "ses-smtp-credentials", kind="reply"),
    Paste("bare-lab-535-is-no-provider", "", "535 5.7.8 Authentication credentials invalid", 535,
          "5.7.8", kind="reply"),
    Paste("bare-ms-other-5-7-139", "",
          "535 5.7.139 Authentication unsuccessful, a reason Microsoft may add later. [MN2PR05CA0004]",
          535, "5.7.139", None, "ms-5-7-139-other", kind="reply"),
    Paste("bare-ms-mailbox", "",
          "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the "
          "Mailbox. Visit https://aka.ms/smtp_auth_disabled for more information.",
          535, "5.7.139", None, "ms-smtp-auth-disabled-mailbox", kind="reply"),
    Paste("bare-fastmail-locked", "",
          "554 5.7.1 <mail-pg1.example.net[198.51.100.2]>: Client host rejected: Address locked or "
          "deactivated; see http://mail.messagingengine.com/docs/locked.html",
          554, "5.7.1", None, "fastmail-locked", kind="reply"),
    Paste("bare-xoauth2-334", "",
          "334 eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIiwic2NvcGUiOiJodHRwczovL21haWwuZ29vZ2xlLmNvbS8ifQ==",
          334, None, None, "gmail-xoauth2-error", kind="reply", notes=('"status":"401"',)),
    Paste("bare-smtplib-tuple", "python",
          "(535, b'5.7.0 Invalid login or password')", 535, "5.7.0", None, "brevo-invalid-login",
          kind="smtplib"),
]

BY_ID = {paste.id: paste for paste in PASTES}


def test_the_table_is_large_and_covers_every_family():
    assert len(PASTES) >= 80 and len(BY_ID) == len(PASTES)
    families = {paste.family for paste in PASTES}
    assert {"python", "nodemailer", "phpmailer", "symfony", "swiftmailer", "java", "dotnet", "mailkit",
            "ruby", "go", "embedded", "postfix", "postfix_sasl", "exim", "sendmail", "exchange",
            "dsn", "debug_log", "smtplib_debug", "postfix_debug", "swaks", "got_sent",
            "phpmailer_debug", "sendmail_transcript", ""} <= families


@pytest.mark.parametrize("paste", PASTES, ids=[paste.id for paste in PASTES])
def test_paste(paste):
    result = explain(paste.text)
    assert result.kind == paste.kind
    assert result.source == (t(f"paste.source.{paste.family}", "en") if paste.family else "")
    text, html = str(result), result._repr_html_()
    if paste.family:  # the card says what it read the reply from
        assert result.source in text and escape(result.source) in html
    if paste.code is None:
        assert not result.items
        assert (result.enhanced.code if result.enhanced else None) == paste.enhanced
        assert result.verdict and result.advice
        if paste.kind == "no-code":
            assert "No reply code" in result.verdict and "no reply code" in text
        provider = result.provider
    else:
        item = result.deciding
        assert item.reply.code == paste.code
        assert item.reply.enhanced == paste.enhanced
        assert item.command == paste.command
        assert item.advice and item.advice in text
        provider = item.provider
    assert (provider.id if provider else None) == paste.provider
    if provider is not None:
        assert provider.provider in text and provider.fix("en") in text
        assert "RFC 5321 §4.2" in text  # the code decides, the text only helps a person
    notes = " ".join(result.deciding.notes if result.items else result.notes) + " " + result.detail
    for words in paste.notes:
        assert words in notes, (words, notes)
    if paste.auth is not None:
        assert result.transcript.auth_outcome == paste.auth


# --- what a reader must (not) be told ---------------------------------------------------------------

def test_policy_type_5_7_139_never_says_the_credentials_were_checked():
    for paste_id in ("py-ms-tenant", "py-ms-criteria", "node-ms-basic-auth", "bare-ms-mailbox",
                     "transcript-security-defaults"):
        result = explain(BY_ID[paste_id].text)
        assert result.deciding.provider.kind == "policy"
        for rendered in (str(result), result._repr_html_()):
            assert "checked the credentials" not in rendered
        assert "new password" in result.advice  # ... will not help / do not ask for one


def test_smtp_auth_disabled_for_the_tenant_is_fixed_by_an_admin_or_graph_not_by_xoauth2():
    advice = explain(BY_ID["py-ms-tenant"].text).advice
    assert "administrator" in advice and "Microsoft Graph" in advice
    assert "XOAUTH2 gets the same 535 5.7.139" in advice


def test_534_size_is_not_explained_as_a_weak_mechanism():
    result = explain("534 SIZE=Message too big.")
    text = str(result)
    assert "too big" in text and "SIZE" in text
    assert "too weak" not in result.deciding.notes and "weak" not in result.advice
    assert "Authentication mechanism is too weak" == result.deciding.entry.name  # the code's name stays


def test_454_relay_access_denied_talks_about_relaying():
    result = explain("454 4.7.1 <ravi@example.org>: Relay access denied")
    assert "relay" in str(result).lower() and "RCPT TO" in result.deciding.provider.meaning("en")
    assert "relay" in result.advice.lower()


def test_provider_words_follow_the_language():
    result = explain(BY_ID["postfix-reject-454-relay"].text, lang="hi")
    assert result.source == "Postfix की एक लॉग पंक्ति या बाउंस"
    assert "रिले" in result.advice and "रिले" in str(result)


def test_a_dotnet_paste_explains_what_an_enhanced_code_alone_can_and_cannot_tell():
    result = explain(BY_ID["dotnet-enhanced-only"].text)
    assert "only the enhanced status code 5.5.1" in result.verdict
    assert "What it cannot tell: the reply code" in result.verdict
    assert "permanent negative completion" in result.verdict
    with pytest.raises(ReplyParseError) as caught:
        result.reply  # noqa: B018 - there is no reply to show, and it says so
    assert caught.value.rule == "no-reply-code"


def test_sasl_log_line_says_postfix_answered_535_on_the_wire():
    result = explain(BY_ID["postfix-sasl-login-log"].text)
    assert str(result.reply) == "535 5.7.8 Error: authentication failed: authentication failure"
    assert any("answers the client '535 5.7.8" in note for note in result.deciding.notes)


def test_xoauth2_334_is_decoded_and_not_the_verdict():
    result = explain(BY_ID["postfix-debug-xoauth2"].text)
    challenge = [item for item in result.items if item.reply.code == 334][0]
    assert challenge.provider.id == "gmail-xoauth2-error"
    assert "535" in result.verdict and "Authentication failed" in result.verdict


def test_disconnected_says_there_is_no_code_and_what_to_check():
    result = explain(BY_ID["py-disconnected"].text)
    assert result.kind == "no-code" and "timed out" in result.verdict
    assert "timeout=" in result.advice and "SMTP_SSL" in result.advice


@pytest.mark.parametrize("paste_id", ["node-gmail-full-object", "symfony-authenticator",
                                      "postfix-bounced-said", "exim-mainlog-escaped"])
def test_the_card_shows_the_command_the_paste_names(paste_id):
    paste = BY_ID[paste_id]
    result = explain(paste.text)
    assert f"Answers: {paste.command}" in str(result)
    assert paste.command.replace("<", "&lt;").replace(">", "&gt;") in result._repr_html_()


# --- the command line -----------------------------------------------------------------------------------

def _cli(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "smtplesson", *args], input=stdin,
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"})


def test_cli_explains_a_laravel_paste_from_stdin():
    result = _cli("explain", "-", stdin=BY_ID["laravel-gmail"].text)
    assert result.returncode == 0, result.stderr
    assert "Read from: a Laravel or Symfony Mailer error message" in result.stdout
    assert "Provider: Gmail" in result.stdout and "app password" in result.stdout


def test_cli_answers_a_paste_in_hindi():
    result = _cli("explain", "--lang", "hi", "-", stdin=BY_ID["ruby-mailgun"].text)
    assert result.returncode == 0, result.stderr
    assert "रूबी (Ruby) की Net::SMTP लाइब्रेरी की एक त्रुटि" in result.stdout
    assert "प्रदाता: Mailgun" in result.stdout


def test_cli_bad_paste_is_one_line_exit_2():
    result = _cli("explain", "-", stdin="Traceback (most recent call last):\n  nothing useful here\n")
    assert result.returncode == 2 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("smtplesson: line 1 does not start with a three-digit reply code")


# --- nothing but ReplyParseError escapes ----------------------------------------------------------------

FRAGMENTS = st.sampled_from([
    "smtplib.SMTPAuthenticationError: ", "SMTPRecipientsRefused: {", "(535, b'", "')", "'", "}",
    "Error: Invalid login: ", "response: '", "' +\n    '", "command: 'AUTH PLAIN'",
    "SMTP ERROR: Password command failed: ", 'Expected response code "235" but got code "535", ',
    'with message "', '".', "javax.mail.AuthenticationFailedException: ", "nested exception is:",
    "System.Net.Mail.SmtpException: Mailbox unavailable. The server response was: ",
    "MailKit.Net.Smtp.SmtpCommandException: ", "Net::SMTPFatalError: ", "(Net::SMTPAuthenticationError)",
    "host mx.example[192.0.2.1] said: ", " (in reply to RCPT TO command))", "NOQUEUE: reject: RCPT from x[1.2.3.4]: ",
    "; from=<a@b> to=<c@d>", "SASL LOGIN authentication failed: ", "SMTP error from remote mail server after ",
    "RCPT TO:<a@b>: ", "login authenticator failed for (h) [1.2.3.4]: ", "stat=Deferred: ",
    "Remote Server returned '", "#550 5.1.1 x ##", "Diagnostic-Code: smtp; ", "Status: 5.1.1",
    "[2025-01-01 00:00:00] DEBUG [abcd1234] S: ", "C: ", "S: ", "SERVER -> CLIENT: ", "CLIENT -> SERVER: ",
    "send: b'", "reply: b'", "<<< ", ">>> ", "<-  ", " -> ", "<** ", "Got: ", "Sent: ",
    "postfix/smtp[1]: < h[1.2.3.4]:25: ", "535", "535-", "550 ", "5.7.8 ", "5.7.139 ", "334 ",
    "eyJzdGF0dXMiOiI0MDAifQ==", "\\n", "\\r\\n", "\n", "\r\n", " ", "    ", "é", "\x00", "ü", "(", ")",
])
PASTE_LIKE = st.lists(FRAGMENTS, max_size=25).map("".join)
FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(st.one_of(PASTE_LIKE, st.text(max_size=400)))
def test_only_reply_parse_error_escapes_explain(text):
    try:
        result = explain(text)
    except ReplyParseError:
        return
    assert str(result) and result._repr_html_()  # whatever was read renders
    assert result.verdict


@FAST
@given(st.sampled_from(PASTES), st.sampled_from(["", "\n", "  ", "\r\n", "\n\n-- \nsent from my phone\n"]))
def test_pastes_survive_the_noise_copying_adds(paste, noise):
    if not isinstance(paste.text, str):
        return
    text = paste.text.replace("\n", "\r\n") if noise == "\r\n" else paste.text
    result = explain(noise + text + noise.rstrip(" "))
    code = result.deciding.reply.code if result.items else None
    assert code == paste.code


def test_a_connection_error_object_has_no_reply_code_and_says_what_to_check():
    result = explain(ConnectionRefusedError(111, "Connection refused"))
    assert result.kind == "no-code" and "Connection refused" in result.verdict
    assert "port" in result.advice and result.source == "a Python exception"


def test_an_unrelated_exception_object_is_refused_with_a_named_rule():
    with pytest.raises(ReplyParseError) as caught:
        explain(KeyError("x"))
    assert caught.value.rule == "explain-type"
