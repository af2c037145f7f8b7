"""How a lab decides each AUTH: passwords, app passwords (534 5.7.9) and XOAUTH2 tokens.

The replies model what real providers send, and say so where a vendor's wording is borrowed:
534 5.7.9 "Application-specific password required" and XOAUTH2's 334 with a base64 JSON error
are what Gmail sends (Google's XOAUTH2 protocol page describes the second).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import weakref
from dataclasses import dataclass

from aiosmtpd.smtp import AuthResult, LoginPassword

from .errors import LabError

#: aiosmtpd's replies, kept as they are so every lab speaks with one voice.
SUCCESS = "235 2.7.0 Authentication successful"
INVALID = "535 5.7.8 Authentication credentials invalid"
#: Gmail's reply when 2-Step Verification is on and the regular password is used (RFC 4954's
#: 534 is "mechanism too weak"; Google uses 5.7.9 for "use an app password instead").
APP_PASSWORD_REQUIRED = ("534 5.7.9 Application-specific password required "
                         "(Gmail's reply when an account signs in with app passwords)")
#: The scope named in the XOAUTH2 error; Gmail names https://mail.google.com/ here.
TOKEN_SCOPE = "https://mail.lab.example/"
#: What Gmail's XOAUTH2 error challenge carries (before base64): status, schemes, scope.
TOKEN_ERROR = json.dumps({"status": "401", "schemes": "Bearer", "scope": TOKEN_SCOPE},
                         separators=(",", ":"))
#: RFC 6750's b64token: the characters a Bearer token may contain.
_BEARER = re.compile(r"[A-Za-z0-9\-._~+/]+=*")


@dataclass(frozen=True)
class BearerToken:
    """What an XOAUTH2 initial response carries: the user and the OAuth 2.0 access token."""

    user: str
    token: str


def xoauth2_response(user: str, token: str) -> str:
    """The XOAUTH2 initial client response before base64: user=…^Aauth=Bearer …^A^A."""
    return f"user={user}\x01auth=Bearer {token}\x01\x01"


def parse_xoauth2(blob: bytes) -> BearerToken | None:
    """Read an XOAUTH2 initial response; None if it does not have that shape."""
    try:
        text = blob.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not text.endswith("\x01\x01"):
        return None
    fields = dict(part.split("=", 1) for part in text[:-2].split("\x01") if "=" in part)
    user, auth = fields.get("user"), fields.get("auth", "")
    if not user or not auth.startswith("Bearer "):
        return None
    return BearerToken(user=user, token=auth[len("Bearer "):])


def decode_b64(value: str) -> bytes | None:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None


def check_credentials(accounts: dict, app_passwords, tokens) -> tuple[dict | None, dict | None]:
    """Validate app_passwords and tokens against the accounts; return copies (or None)."""
    app_passwords = _check_map("app_passwords", app_passwords, accounts, rule="app-passwords")
    for user, app_password in (app_passwords or {}).items():
        if app_password == accounts[user]:
            raise LabError.of("error.lab.app_password_same", rule="app-passwords", user=user)
    tokens = _check_map("tokens", tokens, accounts, rule="tokens")
    for user, token in (tokens or {}).items():
        if not _BEARER.fullmatch(token):
            raise LabError.of("error.lab.token_form", rule="tokens", user=user)
    return app_passwords, tokens


def _check_map(name: str, value, accounts: dict, *, rule: str) -> dict | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise LabError.of("error.lab.map_type", rule=rule, name=name, type=type(value).__name__)
    for user, secret in value.items():
        if not isinstance(user, str) or not isinstance(secret, str) or not secret:
            raise LabError.of("error.lab.map_values", rule=rule, name=name)
        if user not in accounts:
            raise LabError.of("error.lab.map_user", rule=rule, name=name, user=user,
                              accounts=", ".join(accounts) or "none")
    return dict(value)


class Authenticator:
    """aiosmtpd's authenticator for one lab; holds the lab weakly so a dropped lab can stop."""

    def __init__(self, lab) -> None:
        self._lab = weakref.ref(lab)

    def __call__(self, server, session, envelope, mechanism: str, auth_data) -> AuthResult:
        lab = self._lab()
        if isinstance(auth_data, BearerToken):
            server.lab_username = auth_data.user
            tokens = (lab.tokens or {}) if lab is not None else {}
            if auth_data.user in tokens and tokens[auth_data.user] == auth_data.token:
                return AuthResult(success=True, auth_data=auth_data)
            return AuthResult(success=False, handled=False)
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        try:
            user = auth_data.login.decode("utf-8")
            password = auth_data.password.decode("utf-8")
        except UnicodeDecodeError:
            return AuthResult(success=False, handled=False)
        server.lab_username = user
        if lab is None:
            return AuthResult(success=False, handled=False)
        app_password = (lab.app_passwords or {}).get(user)
        if app_password is not None:
            if password == app_password:
                return AuthResult(success=True, auth_data=auth_data)
            if password == lab.accounts.get(user):
                return AuthResult(success=False, handled=False, message=APP_PASSWORD_REQUIRED)
        elif user in lab.accounts and lab.accounts[user] == password:
            return AuthResult(success=True, auth_data=auth_data)
        # handled=False makes aiosmtpd send 535; handled=True would send nothing and hang the client.
        return AuthResult(success=False, handled=False)
