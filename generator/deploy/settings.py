"""Frozen connection settings built from GRAFANA_* values the CLI hands over; secrets never print."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping
from urllib.parse import urlsplit
from urllib.request import proxy_bypass_environment

from generator.deploy import secrets
from generator.deploy.errors import ConnectionSettingsError

# Names read from the environment (by the CLI only) or from an --env-file.
ENV_KEYS = ("GRAFANA_URL", "GRAFANA_TOKEN", "GRAFANA_USER", "GRAFANA_PASSWORD", "GRAFANA_ORG_ID",
            "GRAFANA_CA_BUNDLE")
_ENV_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$")


@dataclass(frozen=True)
class ConnectionSettings:
    """Where Grafana is and how to authenticate; `token` and `password` are excluded from repr."""

    url: str
    token: str = field(default="", repr=False)
    user: str = ""
    password: str = field(default="", repr=False)
    org_id: int | None = None
    # True (system CAs), False (--insecure) or the path of a CA bundle.
    verify: bool | str = True
    # Seconds per request (connect and read). A hung Grafana costs at most timeout x attempts.
    timeout: float = 10.0
    # Attempts per request on connection errors, 429 and 5xx; 4xx is never retried.
    attempts: int = 4
    # First backoff in seconds, doubled per retry (with jitter) up to backoff_max.
    backoff: float = 0.5
    backoff_max: float = 8.0
    # Requests in flight at once; Grafana's SQLite backend gains nothing beyond ~8.
    concurrency: int = 8
    # Seconds the whole run (every request, retry and backoff) may take; 0 means no limit.
    deadline: float = 0.0
    # Plain http:// to a host that is not loopback sends the token in clear: refused unless set.
    allow_http: bool = False
    # Proxy URL by scheme, resolved by the CLI from HTTP(S)_PROXY / NO_PROXY (empty: direct).
    proxies: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConnectionSettingsError(
                f"GRAFANA_URL must be an http(s) URL such as http://localhost:3000, got {_safe_url(self.url)!r}")
        if parts.username or parts.password:
            raise ConnectionSettingsError(
                "GRAFANA_URL must not carry credentials; use GRAFANA_TOKEN or GRAFANA_USER/GRAFANA_PASSWORD")
        if not self.token and not (self.user and self.password):
            raise ConnectionSettingsError(
                "no Grafana credentials: set GRAFANA_TOKEN (service-account token) or "
                "GRAFANA_USER and GRAFANA_PASSWORD")
        secrets.validate("GRAFANA_TOKEN", self.token, kind="token")
        secrets.validate("GRAFANA_USER", self.user, kind="user")
        secrets.validate("GRAFANA_PASSWORD", self.password, kind="password")
        if parts.scheme == "http" and not self.allow_http and not is_loopback(parts.hostname):
            raise ConnectionSettingsError(
                f"GRAFANA_URL is plain http:// to {parts.hostname}, which is not this machine: the "
                f"{'token' if self.token else 'password'} would cross the network in clear; use https://, "
                "or pass --allow-http if the network is trusted")
        if self.attempts < 1 or self.concurrency < 1 or self.timeout <= 0 or self.deadline < 0:
            raise ConnectionSettingsError("attempts, concurrency and timeout must be positive")

    @property
    def base_url(self) -> str:
        return self.url.rstrip("/")

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every form of every secret (raw, percent-encoded, base64 of user:password)."""
        return secrets.secret_forms(self.token, self.user, self.password)

    def scrubber(self) -> secrets.Scrubber:
        return secrets.Scrubber(self.secrets)

    @property
    def proxy(self) -> str:
        """The proxy requests to Grafana go through, without any credentials it carries ('' if none)."""
        url = self.proxies.get(urlsplit(self.url).scheme, "")
        if not url:
            return ""
        parts = urlsplit(url if "://" in url else f"http://{url}")
        port = f":{parts.port}" if parts.port else ""
        return f"{parts.scheme}://{parts.hostname}{port}"

    @property
    def auth_kind(self) -> str:
        return "token" if self.token else f"user {self.user}"


def is_loopback(host: str | None) -> bool:
    """localhost, 127.0.0.0/8 or ::1: traffic that never leaves the machine."""
    if not host:
        return False
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def proxies_for(url: str, environ: Mapping[str, str]) -> dict[str, str]:
    """The proxy (by scheme) the HTTP(S)_PROXY / ALL_PROXY / NO_PROXY variables apply to `url`."""
    found: dict[str, str] = {}
    for key, value in environ.items():
        lowered = key.lower()
        if lowered.endswith("_proxy") and value.strip():
            found.setdefault(lowered[: -len("_proxy")], value.strip())
    scheme = urlsplit(url).scheme
    proxy = found.get(scheme) or found.get("all")
    host = urlsplit(url).hostname or ""
    if not proxy or proxy_bypass_environment(host, {"no": found.get("no", "")}):
        return {}
    return {scheme: proxy}


def _safe_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        return url.replace(parts.password, "***")
    return url


def read_env_file(path: Path) -> dict[str, str]:
    """GRAFANA_* assignments from a dotenv-style file (KEY=VALUE, optional quotes and `export`)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConnectionSettingsError(f"{path}: cannot read environment file ({exc.strerror})") from None
    values: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _ENV_LINE.match(line)
        if match is None:
            # Never echo the line: it may hold a secret.
            raise ConnectionSettingsError(f"{path}:{number}: expected KEY=VALUE")
        key, value = match.groups()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        if key in ENV_KEYS:
            values[key] = value
    return values


def from_environ(environ: Mapping[str, str], *, insecure: bool = False, timeout: float = 10.0,
                 concurrency: int = 8, attempts: int = 4, backoff: float = 0.5, deadline: float = 0.0,
                 allow_http: bool = False) -> ConnectionSettings:
    """Settings from a GRAFANA_* mapping (the CLI passes os.environ merged with --env-file)."""
    url = environ.get("GRAFANA_URL", "").strip()
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        raise ConnectionSettingsError("GRAFANA_URL contains a control character (a stray newline?); remove it")
    if not url:
        raise ConnectionSettingsError(
            "GRAFANA_URL is not set (for example: export GRAFANA_URL=http://localhost:3000)")
    org = environ.get("GRAFANA_ORG_ID", "").strip()
    if org and not org.isdigit():
        raise ConnectionSettingsError(f"GRAFANA_ORG_ID must be a number, got {org!r}")
    ca_bundle = environ.get("GRAFANA_CA_BUNDLE", "").strip()
    if ca_bundle and not Path(ca_bundle).is_file():
        raise ConnectionSettingsError(f"GRAFANA_CA_BUNDLE: {ca_bundle}: file not found")
    verify: bool | str = False if insecure else (ca_bundle or True)
    return ConnectionSettings(
        url=url,
        token=environ.get("GRAFANA_TOKEN", "").strip(),
        user=environ.get("GRAFANA_USER", "").strip(),
        password=environ.get("GRAFANA_PASSWORD", ""),
        org_id=int(org) if org else None,
        verify=verify,
        timeout=timeout,
        concurrency=concurrency,
        attempts=attempts,
        backoff=backoff,
        deadline=deadline,
        allow_http=allow_http,
        proxies=proxies_for(url, environ),
    )
