"""A small Grafana HTTP client: one session per thread, a deadline per whole request (connect,
headers and body) and per run, cancellation (Ctrl-C), retries with backoff on connection errors,
429 and 5xx (never 4xx), no redirects followed, replies checked for shape, and one-line errors
that never contain a secret."""

from __future__ import annotations

import base64
import random
import re
import threading
import time
from collections import Counter
from typing import Any, Callable, Mapping
from urllib.parse import quote, urljoin, urlsplit

import requests

from generator.deploy.errors import (
    DeployDeadline,
    DeployError,
    DeployInterrupted,
    GrafanaAPIError,
    GrafanaAuthError,
    GrafanaBadRequest,
    GrafanaConflict,
    GrafanaForbidden,
    GrafanaMalformedReply,
    GrafanaNotFound,
    GrafanaPreconditionFailed,
    GrafanaRedirect,
    GrafanaServerError,
    GrafanaTLSError,
    GrafanaUnreachable,
)
from generator.deploy import replies
from generator.deploy.settings import ConnectionSettings
from generator.deploy.transport import WatchedAdapter, Watchdog

# What a 403 most likely lacks, by endpoint (Grafana's own message is shown too when it has one).
_PERMISSIONS: tuple[tuple[str, str, str], ...] = (
    ("POST", "/api/dashboards/db", "dashboards:create and dashboards:write on the folder (Editor)"),
    ("DELETE", "/api/dashboards/", "dashboards:delete on the folder (Editor)"),
    ("GET", "/api/dashboards/", "dashboards:read (Viewer)"),
    ("GET", "/api/search", "dashboards:read and folders:read (Viewer)"),
    ("POST", "/api/folders", "folders:create (Editor, or Admin when editors cannot create folders)"),
    ("PUT", "/api/folders/", "folders:write on the folder"),
    ("GET", "/api/folders/", "folders:read"),
    ("GET", "/api/datasources/", "datasources:read"),
    ("PUT", "/api/v1/provisioning/", "alert.provisioning:write (Admin or a custom role)"),
    ("POST", "/api/v1/provisioning/", "alert.provisioning:write (Admin or a custom role)"),
    ("GET", "/api/v1/provisioning/", "alert.provisioning:read (Admin or a custom role)"),
)
_ERRNO = re.compile(r"\[Errno -?\d+\] ([^'\")]+)")
_SSL = re.compile(r"\[SSL(?:: [A-Z_]+)?\] ([^'\"(]+)")
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# No Grafana answer deploy reads comes near this; a server streaming more is not Grafana.
MAX_BODY_BYTES = 64 * 1024 * 1024


class _Expired(Exception):
    """The whole-request timeout passed (the watchdog shut the connection)."""


class _Auth(requests.auth.AuthBase):
    """Adds the Authorization header; its repr shows only the kind, never the secret."""

    def __init__(self, settings: ConnectionSettings) -> None:
        if settings.token:
            self._header = f"Bearer {settings.token}"
        else:
            pair = f"{settings.user}:{settings.password}".encode("utf-8")
            self._header = f"Basic {base64.b64encode(pair).decode('ascii')}"
        self._kind = settings.auth_kind

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = self._header
        return request

    def __repr__(self) -> str:
        return f"<grafana auth: {self._kind}>"


def required_permission(method: str, path: str) -> str:
    """The permission a 403 on this request most likely lacks."""
    for want_method, prefix, permission in _PERMISSIONS:
        if method == want_method and path.startswith(prefix):
            return permission
    return "a permission for this endpoint"


class GrafanaClient:
    """Typed calls for the endpoints deploy and diff use; counts every request by method."""

    def __init__(self, settings: ConnectionSettings, *, sleep: Callable[[float], None] | None = None) -> None:
        self.settings = settings
        self._scrub = settings.scrubber()
        run_deadline = time.monotonic() + settings.deadline if settings.deadline else 0.0
        self.watchdog = Watchdog(run_deadline)
        self._sleep = sleep
        self._auth = _Auth(settings)
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._lock = threading.Lock()
        self.requests_by_method: Counter[str] = Counter()

    def __repr__(self) -> str:
        return f"GrafanaClient({self.settings.base_url!r}, {self.settings.auth_kind})"

    # -- plumbing -----------------------------------------------------------------------------

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.auth = self._auth  # an explicit auth also stops requests from reading ~/.netrc
            # The CLI resolved the proxy from the environment once; nothing below reads it again.
            session.trust_env = False
            session.proxies = dict(self.settings.proxies)
            session.verify = self.settings.verify
            session.headers["Accept"] = "application/json"
            session.headers["User-Agent"] = "dashgen-deploy"
            if self.settings.org_id is not None:
                session.headers["X-Grafana-Org-Id"] = str(self.settings.org_id)
            adapter = WatchedAdapter(pool_connections=1, pool_maxsize=2, max_retries=0)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            self._local.session = session
            with self._lock:
                self._sessions.append(session)
        return session

    def close(self) -> None:
        with self._lock:
            for session in self._sessions:
                session.close()
            self._sessions.clear()
        self.watchdog.stop()

    def cancel(self, reason: str = "interrupted") -> None:
        """Fail every request in flight at once and start no new one (Ctrl-C, the run deadline)."""
        self.watchdog.cancel(reason)

    def _check_cancelled(self, method: str, path: str) -> None:
        if not self.watchdog.cancelled:
            return
        if self.watchdog.reason == "deadline":
            raise DeployDeadline(f"the run's deadline ({self.settings.deadline:g} s, --deadline) passed "
                                 f"before {method} {path} finished")
        raise DeployInterrupted(f"{self.watchdog.reason} during {method} {path}")

    @property
    def reads(self) -> int:
        return self.requests_by_method["GET"]

    @property
    def writes(self) -> int:
        return sum(n for method, n in self.requests_by_method.items() if method != "GET")

    def redact(self, text: str) -> str:
        """Text with every secret replaced: Grafana or a proxy may echo a header back."""
        return self._scrub(text)

    def _backoff(self, attempt: int, retry_after: str | None) -> float:
        if retry_after and retry_after.strip().isdigit():
            return min(float(retry_after), self.settings.backoff_max)
        delay: float = min(self.settings.backoff * (2 ** attempt), self.settings.backoff_max)
        return delay * (0.5 + random.random() / 2)

    def request(self, method: str, path: str, *, params: Mapping[str, Any] | None = None,
                body: Any = None, headers: Mapping[str, str] | None = None,
                missing_ok: bool = False) -> Any:
        """JSON of a successful response (None for a 404 when missing_ok); raises DeployError."""
        url = self.settings.base_url + path
        last = ""
        retry_after: str | None = None
        for attempt in range(self.settings.attempts):
            self._check_cancelled(method, path)
            if attempt:
                delay = self._backoff(attempt - 1, retry_after)
                if self._sleep is not None:
                    self._sleep(delay)
                self.watchdog.wait(delay)
                self._check_cancelled(method, path)
            retry_after = None
            with self._lock:
                self.requests_by_method[method] += 1
            try:
                response = self._send(method, url, params, body, headers)
            except requests.exceptions.SSLError as exc:
                self._check_cancelled(method, path)
                raise GrafanaTLSError(self._tls_message(exc)) from None
            except _Expired:
                last = f"timed out: no complete answer within {self.settings.timeout:g} s"
                continue
            except (requests.exceptions.ConnectionError, requests.exceptions.Timeout,
                    requests.exceptions.ChunkedEncodingError, OSError) as exc:
                self._check_cancelled(method, path)
                last = _connection_reason(exc)
                continue
            except requests.exceptions.RequestException as exc:
                raise DeployError(self.redact(
                    f"cannot send {method} {path} to {self.settings.base_url}: {type(exc).__name__}")) from None
            if 300 <= response.status_code < 400:
                raise self._redirect(response, method, path)
            if response.status_code in RETRY_STATUSES:
                retry_after = response.headers.get("Retry-After")
                last = f"{response.status_code} {self._reason(response)}".strip()
                if attempt + 1 < self.settings.attempts:
                    continue
                raise self._api_error(response, method, path)
            if response.status_code == 404 and missing_ok:
                return None
            if response.status_code >= 400:
                raise self._api_error(response, method, path)
            if not response.content:
                return {}
            try:
                data = response.json()
            except ValueError:
                raise GrafanaAPIError(
                    f"Grafana answered {method} {path} with non-JSON content (is GRAFANA_URL the Grafana root?)",
                    status=response.status_code, method=method, path=path) from None
            if data is None:
                raise GrafanaMalformedReply(f"Grafana answered {method} {path} with null where JSON content "
                                            "was expected (is GRAFANA_URL the Grafana root?)")
            return data
        raise GrafanaUnreachable(self.redact(
            f"Grafana at {self.settings.base_url} is unreachable ({last}) after "
            f"{self.settings.attempts} attempts: {method} {path}"))

    def _send(self, method: str, url: str, params: Mapping[str, Any] | None, body: Any,
              headers: Mapping[str, str] | None) -> requests.Response:
        """One request whose connect, headers and body together take at most `timeout` seconds."""
        remaining = self.watchdog.remaining()
        budget = self.settings.timeout if remaining is None else max(0.01, min(self.settings.timeout, remaining))
        with self.watchdog.flight(budget) as flight:
            try:
                # The connect timeout bounds the phase before a socket exists to watch.
                response = self._session().request(
                    method, url, params=params, json=body, headers=dict(headers or {}),
                    timeout=budget, allow_redirects=False, stream=True)
                chunks: list[bytes] = []
                size = 0
                for chunk in response.iter_content(65536):
                    size += len(chunk)
                    if size > MAX_BODY_BYTES:
                        response.close()
                        raise requests.exceptions.ConnectionError(
                            f"answer larger than {MAX_BODY_BYTES // (1024 * 1024)} MB")
                    chunks.append(chunk)
                response._content = b"".join(chunks)  # what .json()/.text read, as without stream
            except (requests.exceptions.RequestException, OSError, ValueError):
                if flight.expired and not self.watchdog.cancelled:
                    raise _Expired() from None
                raise
            return response

    def _redirect(self, response: requests.Response, method: str, path: str) -> GrafanaRedirect:
        location = response.headers.get("Location", "")
        target = urljoin(self.settings.base_url + path, location) if location else ""
        parts = urlsplit(target)
        shown = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{parts.path}" if parts.scheme else "nowhere"
        same = parts.netloc.rpartition("@")[2] == urlsplit(self.settings.base_url).netloc
        hint = ("set GRAFANA_URL to the address Grafana is served at" if same else
                "it points at another host; deploy sends credentials only to GRAFANA_URL")
        return GrafanaRedirect(self.redact(
            f"Grafana answered {method} {path} with a redirect ({response.status_code}) to {shown}, which "
            f"deploy does not follow: {hint}"))

    def _tls_message(self, exc: Exception) -> str:
        match = _SSL.search(str(exc))
        reason = match.group(1).strip() if match else "handshake failed"
        return self.redact(
            f"TLS failure talking to {self.settings.base_url} ({reason}); point GRAFANA_CA_BUNDLE at the "
            "CA certificate, or pass --insecure for a throwaway test instance")

    def _reason(self, response: requests.Response) -> str:
        """Grafana's short reason (`message`, `status`), scrubbed and kept to one line."""
        try:
            data = response.json()
        except ValueError:
            data = None
        text = ""
        if isinstance(data, dict):
            text = str(data.get("message") or data.get("error") or "")
        elif response.text:
            text = response.text
        text = " ".join(self.redact(text).split())
        return text[:200]

    def _api_error(self, response: requests.Response, method: str, path: str) -> GrafanaAPIError:
        status = response.status_code
        reason = self._reason(response)
        try:
            data = response.json()
        except ValueError:
            data = {}
        grafana_status = str(data.get("status", "")) if isinstance(data, dict) else ""
        said = f": Grafana said {reason!r}" if reason else ""
        where = f"{method} {path}"
        kwargs: dict[str, Any] = dict(status=status, method=method, path=path, reason=reason,
                                      grafana_status=grafana_status)
        if status == 401:
            return GrafanaAuthError(
                f"Grafana rejected the credentials (401 on {where}): check GRAFANA_TOKEN "
                f"(a service-account token) or GRAFANA_USER/GRAFANA_PASSWORD{said}", **kwargs)
        if status == 403:
            return GrafanaForbidden(
                f"permission denied (403 on {where}): the account needs "
                f"{required_permission(method, path)}{said}", **kwargs)
        if status == 404:
            return GrafanaNotFound(f"not found (404 on {where}){said}", **kwargs)
        if status == 409:
            return GrafanaConflict(f"conflict (409 on {where}){said}", **kwargs)
        if status == 412:
            hint = {
                "version-mismatch": "it changed in Grafana after it was read; re-run to re-check for drift",
                "name-exists": "another dashboard with the same title exists in that folder; rename or delete it",
                "plugin-dashboard": "it belongs to a plugin; remove the plugin's copy first",
            }.get(grafana_status, "precondition failed")
            return GrafanaPreconditionFailed(f"412 {grafana_status or 'precondition'} on {where}: {hint}", **kwargs)
        if status == 400:
            return GrafanaBadRequest(f"Grafana rejected the request as invalid (400 on {where}){said}", **kwargs)
        if status == 429 or status >= 500:
            return GrafanaServerError(
                f"Grafana kept failing ({status} on {where} after {self.settings.attempts} attempts){said}",
                **kwargs)
        return GrafanaAPIError(f"unexpected {status} on {where}{said}", **kwargs)

    # -- endpoints ----------------------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        data = replies.obj(self.request("GET", "/api/health"), "GET /api/health")
        if data.get("database") != "ok":
            raise DeployError(f"Grafana at {self.settings.base_url} is up but its database is not ok")
        return data

    def get_folder(self, uid: str) -> dict[str, Any] | None:
        result = self.request("GET", f"/api/folders/{_q(uid)}", missing_ok=True)
        return None if result is None else replies.folder(result, f"GET /api/folders/{uid}")

    def create_folder(self, uid: str, title: str) -> dict[str, Any]:
        result: dict[str, Any] = self.request("POST", "/api/folders", body={"uid": uid, "title": title})
        return result

    def update_folder(self, uid: str, title: str, version: int) -> dict[str, Any]:
        result: dict[str, Any] = self.request("PUT", f"/api/folders/{_q(uid)}",
                                              body={"title": title, "version": version})
        return result

    def get_datasource(self, uid: str) -> dict[str, Any] | None:
        result = self.request("GET", f"/api/datasources/uid/{_q(uid)}", missing_ok=True)
        return None if result is None else replies.obj(result, f"GET /api/datasources/uid/{uid}")

    def search_dashboards(self, *, tag: str | None = None, page_size: int = 5000) -> list[dict[str, Any]]:
        """Every dashboard hit, paging until a short page (Grafana caps limit at 5000)."""
        hits: list[dict[str, Any]] = []
        page = 1
        while True:
            params: dict[str, Any] = {"type": "dash-db", "limit": page_size, "page": page}
            if tag:
                params["tag"] = tag
            batch = replies.hits(self.request("GET", "/api/search", params=params), "GET /api/search")
            hits.extend(batch)
            if len(batch) < page_size:
                return hits
            page += 1

    def get_dashboard(self, uid: str) -> dict[str, Any] | None:
        result = self.request("GET", f"/api/dashboards/uid/{_q(uid)}", missing_ok=True)
        return None if result is None else replies.dashboard(result, f"GET /api/dashboards/uid/{uid}")

    def save_dashboard(self, dashboard: dict[str, Any], folder_uid: str, message: str) -> dict[str, Any]:
        """POST /api/dashboards/db without overwrite: Grafana's version check guards against races."""
        body = {"dashboard": dashboard, "folderUid": folder_uid, "message": message, "overwrite": False}
        try:
            result: dict[str, Any] = self.request("POST", "/api/dashboards/db", body=body)
        except GrafanaNotFound as exc:
            raise GrafanaNotFound(
                f"folder {folder_uid!r} not found (404 on POST /api/dashboards/db); create it or fix folder_uid",
                status=404, method="POST", path=exc.path, reason=exc.reason) from None
        return result

    def delete_dashboard(self, uid: str) -> None:
        self.request("DELETE", f"/api/dashboards/uid/{_q(uid)}")

    def get_rule_group(self, folder_uid: str, group: str) -> dict[str, Any] | None:
        path = f"/api/v1/provisioning/folder/{_q(folder_uid)}/rule-groups/{_q(group)}"
        result = self.request("GET", path, missing_ok=True)
        return None if result is None else replies.rule_group(result, f"GET {path}")

    def put_rule_group(self, folder_uid: str, group: str, body: dict[str, Any], *, editable: bool) -> None:
        self.request("PUT", f"/api/v1/provisioning/folder/{_q(folder_uid)}/rule-groups/{_q(group)}",
                     body=body, headers=_provenance(editable))

    def list_contact_points(self) -> list[dict[str, Any]]:
        return replies.objects(self.request("GET", "/api/v1/provisioning/contact-points"),
                               "GET /api/v1/provisioning/contact-points", "contact points")

    def create_contact_point(self, body: dict[str, Any], *, editable: bool) -> None:
        self.request("POST", "/api/v1/provisioning/contact-points", body=body, headers=_provenance(editable))

    def update_contact_point(self, uid: str, body: dict[str, Any], *, editable: bool) -> None:
        self.request("PUT", f"/api/v1/provisioning/contact-points/{_q(uid)}", body=body,
                     headers=_provenance(editable))

    def get_policies(self) -> dict[str, Any] | None:
        result = self.request("GET", "/api/v1/provisioning/policies", missing_ok=True)
        return None if result is None else replies.obj(result, "GET /api/v1/provisioning/policies")

    def put_policies(self, body: dict[str, Any], *, editable: bool) -> None:
        self.request("PUT", "/api/v1/provisioning/policies", body=body, headers=_provenance(editable))


def _provenance(editable: bool) -> dict[str, str]:
    # Without the header Grafana marks the resource provisioned: locked in the UI, so nobody can
    # drift it there. With it, people may edit in the UI and the next deploy overwrites them.
    return {"X-Disable-Provenance": "true"} if editable else {}


def _q(segment: str) -> str:
    return quote(segment, safe="")


def _connection_reason(exc: Exception) -> str:
    if isinstance(exc, requests.exceptions.Timeout):
        return "timed out"
    text = str(exc)
    match = _ERRNO.search(text)
    if match:
        return match.group(1).strip().lower()
    if "RemoteDisconnected" in text or "Connection aborted" in text or "closed connection" in text:
        return "connection dropped"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return "connection dropped mid-response"
    return "connection error"

