"""Credential validation and scrubbing: a secret is checked before it is used (one line, value never
shown) and removed, in every form it can travel in, from anything deploy prints or writes."""

from __future__ import annotations

import base64
import re
from typing import Iterable
from urllib.parse import quote, quote_plus

from generator.deploy.errors import ConnectionSettingsError

MASK = "***"
# An Authorization value echoed back in any shape: `Bearer x`, `Basic x`, `Authorization: x`,
# also inside JSON (`"Authorization": ["Basic x"]`). Scrubbed even when the secret itself is not
# recognisable (truncated by the server, re-encoded, another account's credentials).
_AUTH_VALUE = re.compile(r"(?i)\b(bearer|basic)(\s+|%20|\+)[A-Za-z0-9._~+/=%-]{4,}")
_AUTH_HEADER = re.compile(r"(?i)(authorization\W{1,6})(?!\*\*\*|bearer\b|basic\b)[^\s\"',\]}]+")
# Token characters: RFC 6750 b64token, what a Grafana service-account token (glsa_...) uses.
_TOKEN_CHARS = re.compile(r"^[A-Za-z0-9._~+/=-]+$")


def _control(value: str) -> bool:
    return any(ord(c) < 0x20 or ord(c) == 0x7F for c in value)


def validate(name: str, value: str, *, kind: str) -> None:
    """Raise one line naming `name` (never the value) when it cannot be sent as it is."""
    if not value:
        return
    if _control(value):
        which = "a newline" if ("\n" in value or "\r" in value) else "a control character"
        raise ConnectionSettingsError(
            f"{name} contains {which} (value not shown); remove it (a file read with $(cat ...) or "
            "an env file saved with CRLF line ends often adds one)")
    if kind == "token":
        if not value.isascii():
            raise ConnectionSettingsError(f"{name} contains a non-ASCII character (value not shown); "
                                          "a Grafana token is ASCII: copy it again")
        if not _TOKEN_CHARS.match(value):
            raise ConnectionSettingsError(f"{name} contains a space or a character no bearer token has "
                                          "(value not shown); copy it again")
    if kind == "user" and ":" in value:
        raise ConnectionSettingsError(f"{name} contains ':', which basic authentication cannot carry")


def secret_forms(token: str, user: str, password: str) -> tuple[str, ...]:
    """Every form a credential can be echoed in: raw, percent-encoded, and base64 of user:password
    (standard and URL-safe alphabets, with and without padding), longest first."""
    forms: set[str] = set()
    for secret in (token, password):
        if secret:
            forms.update({secret, quote(secret, safe=""), quote_plus(secret)})
    if user and password:
        pair = f"{user}:{password}".encode("utf-8")
        for encoded in (base64.b64encode(pair), base64.urlsafe_b64encode(pair)):
            text = encoded.decode("ascii")
            forms.update({text, text.rstrip("=")})
    return tuple(sorted((f for f in forms if len(f) >= 3), key=len, reverse=True))


class Scrubber:
    """Replaces known secrets and any echoed Authorization value with ***."""

    def __init__(self, forms: Iterable[str] = ()) -> None:
        self.forms = tuple(forms)

    def __call__(self, text: str) -> str:
        for form in self.forms:
            text = text.replace(form, MASK)
        text = _AUTH_VALUE.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)
        return _AUTH_HEADER.sub(lambda m: f"{m.group(1)}{MASK}", text)

    def __repr__(self) -> str:
        return f"<Scrubber of {len(self.forms)} forms>"


__all__ = ["MASK", "Scrubber", "secret_forms", "validate"]
