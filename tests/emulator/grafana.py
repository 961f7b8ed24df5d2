"""A Grafana HTTP API emulator for tests and the bench: a threaded server on 127.0.0.1 with a free
port, in-memory state, auth (bearer tokens, basic users, roles), X-Grafana-Org-Id, a request log,
fault injection, and helpers that play a person editing a dashboard in the UI.

It follows ../shared/reference/grafana.md; it is not Grafana. Run the same deploy against a real
Grafana as docs/deploy.md describes.
"""

from __future__ import annotations

import base64
import copy
import json
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qs, unquote, urlsplit

from tests.emulator.provisioning import Provisioning
from tests.emulator.state import OrgState, Reply

# Keys the Grafana frontend keeps when it saves a dashboard from the UI; it rebuilds the model,
# so anything else (such as a deploy tool's stamp) is dropped by a UI save.
FRONTEND_KEYS = frozenset({
    "id", "uid", "title", "description", "tags", "timezone", "editable", "graphTooltip", "time",
    "timepicker", "templating", "annotations", "refresh", "schemaVersion", "version", "panels", "links",
    "gnetId", "fiscalYearStartMonth", "liveNow", "weekStart", "preload"})
ROLE_RANK = {"Viewer": 0, "Editor": 1, "Admin": 2}


@dataclass(frozen=True)
class Account:
    login: str
    role: str
    orgs: tuple[int, ...] = (1,)


@dataclass
class Fault:
    """Make matching requests fail: `kind` is 500, 503, 429, hang, drop, drop_after (applied, then
    dropped), reply (answer with `reply` = (status, body, headers) as a hostile server would) or drip
    (a 200 whose status line, headers and body arrive one byte every `drip_seconds`)."""

    pattern: re.Pattern[str]
    kind: str
    times: int
    method: str | None = None
    after: int = 0
    seen: int = field(default=0)
    reply: tuple[int, Any, dict[str, str]] | None = None


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    query: str
    status: int
    org_id: int


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "_Server"

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes: without this, Nagle plus delayed ACKs
        # add ~40 ms to every answer and the bench would measure the emulator, not the deployer.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:  # quiet: the emulator keeps its own log
        return

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        self.server.emulator.dispatch(self, raw)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

    def reply(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = b"" if body is None else json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def drop(self) -> None:
        self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    emulator: "GrafanaEmulator"


Route = tuple[str, re.Pattern[str], Callable[..., Reply], str]


class GrafanaEmulator:
    """Start with `with GrafanaEmulator() as grafana:` (or start()/stop()); `grafana.url` is the base URL."""

    def __init__(self, *, tokens: dict[str, Account] | None = None,
                 users: dict[str, tuple[str, Account]] | None = None, version: str = "11.3.0",
                 clock: Callable[[], float] = time.time, hang_seconds: float = 2.0,
                 echo_auth_in_errors: bool = False, latency_seconds: float = 0.0) -> None:
        self.tokens = tokens if tokens is not None else {
            "admin-token": Account("sa-deployer", "Admin"),
            "editor-token": Account("sa-editor", "Editor"),
            "viewer-token": Account("sa-viewer", "Viewer")}
        self.users = users if users is not None else {"admin": ("admin", Account("admin", "Admin", (1, 2)))}
        self.version = version
        self.clock = clock
        self.hang_seconds = hang_seconds
        self.drip_seconds = 0.05
        self.echo_auth_in_errors = echo_auth_in_errors
        # Added to every answer to stand in for a real Grafana's database time (the bench uses it).
        self.latency_seconds = latency_seconds
        self.orgs: dict[int, OrgState] = {}
        self.alerting: dict[int, Provisioning] = {}
        self.log: list[LoggedRequest] = []
        self.faults: list[Fault] = []
        self.lock = threading.RLock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.routes: list[Route] = self._routes()

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> "GrafanaEmulator":
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.emulator = self
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="grafana-emulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> "GrafanaEmulator":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, "emulator not started"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def org(self, org_id: int = 1) -> OrgState:
        with self.lock:
            if org_id not in self.orgs:
                state = OrgState(org_id, self.clock)
                self.orgs[org_id] = state
                self.alerting[org_id] = Provisioning(lambda uid: uid in state.folders, self.clock)
            return self.orgs[org_id]

    def provisioning(self, org_id: int = 1) -> Provisioning:
        self.org(org_id)
        return self.alerting[org_id]

    # -- the request log ----------------------------------------------------------------------

    def requests(self, method: str | None = None, path: str | None = None) -> list[LoggedRequest]:
        with self.lock:
            return [r for r in self.log if (method is None or r.method == method)
                    and (path is None or re.search(path, r.path))]

    def writes(self) -> list[LoggedRequest]:
        return [r for r in self.requests() if r.method != "GET"]

    def clear_log(self) -> None:
        with self.lock:
            self.log.clear()

    # -- fault injection ----------------------------------------------------------------------

    def inject(self, path: str, kind: str, times: int = 1, *, method: str | None = None, after: int = 0,
               reply: tuple[int, Any, dict[str, str]] | None = None) -> None:
        """The next `times` requests whose path matches the regex `path` (after letting `after` through) fail."""
        assert kind in {"500", "503", "429", "hang", "drop", "drop_after", "reply", "drip"}, kind
        assert (kind == "reply") == (reply is not None)
        with self.lock:
            self.faults.append(Fault(re.compile(path), kind, times, method, after, reply=reply))

    def _fault_reply(self, method: str, path: str) -> tuple[int, Any, dict[str, str]] | None:
        with self.lock:
            for fault in self.faults:
                if fault.kind == "reply" and fault.reply is not None and fault.pattern.search(path):
                    return fault.reply
        return None

    def _take_fault(self, method: str, path: str) -> str | None:
        with self.lock:
            for fault in self.faults:
                if fault.times <= 0 or not fault.pattern.search(path) or fault.method not in (None, method):
                    continue
                fault.seen += 1
                if fault.seen <= fault.after:
                    return None
                fault.times -= 1
                return fault.kind
        return None

    # -- people editing in Grafana ------------------------------------------------------------

    def ui_edit(self, uid: str, change: Callable[[dict[str, Any]], None], user: str = "alice",
                org_id: int = 1) -> int:
        """Save a dashboard the way the UI does (frontend model: unknown keys dropped); new version."""
        return self._edit(uid, change, user, org_id, keep_unknown=False)

    def api_edit(self, uid: str, change: Callable[[dict[str, Any]], None], user: str = "bob",
                 org_id: int = 1) -> int:
        """Save a dashboard through the API as someone else's script would (keeps unknown keys)."""
        return self._edit(uid, change, user, org_id, keep_unknown=True)

    def _edit(self, uid: str, change: Callable[[dict[str, Any]], None], user: str, org_id: int,
              keep_unknown: bool) -> int:
        with self.lock:
            state = self.org(org_id)
            stored = state.dashboards[uid]
            data = copy.deepcopy(stored.data)
            change(data)
            if not keep_unknown:
                data = {k: v for k, v in data.items() if k in FRONTEND_KEYS}
            status, body = state.save_dashboard({"dashboard": data, "folderUid": stored.folder_uid,
                                                 "message": "edited in the UI"}, user)
            assert status == 200, body
            return int(body["version"])

    def dashboard(self, uid: str, org_id: int = 1) -> dict[str, Any] | None:
        with self.lock:
            stored = self.org(org_id).dashboards.get(uid)
            return copy.deepcopy(stored.data) if stored else None

    def add_datasource(self, uid: str, name: str, type_: str = "prometheus", org_id: int = 1) -> None:
        with self.lock:
            status, body = self.org(org_id).create_datasource({"uid": uid, "name": name, "type": type_})
            assert status == 200, body

    # -- dispatch -----------------------------------------------------------------------------

    def _authenticate(self, header: str) -> tuple[Account | None, str]:
        if header.startswith("Bearer "):
            account = self.tokens.get(header[7:])
            return account, "" if account else "invalid API key"
        if header.startswith("Basic "):
            try:
                login, _, password = base64.b64decode(header[6:]).decode("utf-8").partition(":")
            except (ValueError, UnicodeDecodeError):
                return None, "invalid basic auth header"
            entry = self.users.get(login)
            if entry is None or entry[0] != password:
                return None, "invalid username or password"
            return entry[1], ""
        return None, "Unauthorized"

    def dispatch(self, handler: _Handler, raw: bytes) -> None:
        method = handler.command
        parts = urlsplit(handler.path)
        path = unquote(parts.path)
        org_header = handler.headers.get("X-Grafana-Org-Id", "")
        org_id = int(org_header) if org_header.isdigit() else 1
        if self.latency_seconds:
            time.sleep(self.latency_seconds)
        fault = self._take_fault(method, path)
        if fault == "drip":
            with self.lock:
                self.log.append(LoggedRequest(method, path, parts.query, 200, org_id))
            self._drip(handler)
            return
        if fault == "reply":
            status, body, headers = self._fault_reply(method, path) or (500, None, {})
            with self.lock:
                self.log.append(LoggedRequest(method, path, parts.query, status, org_id))
            handler.reply(status, body, headers)
            return
        if fault == "hang":
            with self.lock:
                self.log.append(LoggedRequest(method, path, parts.query, 0, org_id))
            time.sleep(self.hang_seconds)  # past the client's timeout; then no answer at all
            handler.drop()
            return
        status, body, headers = self._outcome(handler, method, path, parts.query, org_id, raw, fault)
        # Logged before the answer leaves, so a client that just returned sees its request here.
        with self.lock:
            self.log.append(LoggedRequest(method, path, parts.query, status, org_id))
        if status == 0:
            handler.drop()
        else:
            handler.reply(status, body, headers)

    def _drip(self, handler: _Handler) -> None:
        """One byte every drip_seconds, for up to 1000 bytes: never idle long enough for a per-read timeout."""
        body = json.dumps({"database": "ok", "padding": "x" * 900}).encode()
        data = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        try:
            for byte in data:
                handler.wfile.write(bytes([byte]))
                handler.wfile.flush()
                time.sleep(self.drip_seconds)
        except OSError:
            pass
        handler.drop()

    def _outcome(self, handler: _Handler, method: str, path: str, query: str, org_id: int, raw: bytes,
                 fault: str | None) -> tuple[int, Any, dict[str, str]]:
        """(status, body, headers); status 0 means: drop the connection without an answer."""
        if fault in ("500", "503", "429"):
            return int(fault), {"message": "injected failure"}, {"Retry-After": "0"} if fault == "429" else {}
        if fault == "drop":
            return 0, None, {}
        status, body, headers = self._respond(handler, method, path, query, org_id, raw)
        if fault == "drop_after":
            return 0, None, {}  # applied, but the answer is lost
        return status, body, headers

    def _respond(self, handler: _Handler, method: str, path: str, query: str, org_id: int,
                 raw: bytes) -> tuple[int, Any, dict[str, str]]:
        if method == "GET" and path == "/api/health":
            return 200, {"database": "ok", "version": self.version, "commit": "emulator"}, {}
        auth_header = handler.headers.get("Authorization", "")
        account, why = self._authenticate(auth_header)
        echo = f" (sent: {auth_header})" if self.echo_auth_in_errors else ""
        if account is None:
            return 401, {"message": why + echo}, {}
        if org_id not in account.orgs:
            return 401, {"message": f"user is not a member of org {org_id}"}, {}
        for route_method, pattern, function, needs in self.routes:
            match = pattern.fullmatch(path)
            if route_method != method or match is None:
                continue
            if ROLE_RANK[account.role] < ROLE_RANK[needs.split(":")[0]]:
                permission = needs.split(":", 1)[1]
                return 403, {"message": "You'll need additional permissions to perform this action. "
                                        f"Permissions needed: {permission}{echo}", "title": "Access denied"}, {}
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                return 400, {"message": "bad request data"}, {}
            disable = handler.headers.get("X-Disable-Provenance", "").lower() in ("true", "1", "yes", "disabled")
            with self.lock:
                self.org(org_id)
                status, reply = function(org_id=org_id, match=match, body=body, query=parse_qs(query),
                                         user=account.login, disable=disable)
            if status >= 400 and echo and isinstance(reply, dict):
                reply = {**reply, "message": f"{reply.get('message', '')}{echo}"}
            return status, reply, {}
        return 404, {"message": "Not found"}, {}

    def _routes(self) -> list[Route]:
        o = self.org
        p = self.provisioning

        def r(method: str, pattern: str, needs: str, function: Callable[..., Reply]) -> Route:
            return (method, re.compile(pattern), function, needs)

        uid = r"([^/]+)"
        return [
            r("GET", "/api/search", "Viewer:dashboards:read", lambda org_id, query, **_: o(org_id).search(query)),
            r("POST", "/api/dashboards/db", "Editor:dashboards:create",
              lambda org_id, body, user, **_: o(org_id).save_dashboard(body, user)),
            r("GET", f"/api/dashboards/uid/{uid}", "Viewer:dashboards:read",
              lambda org_id, match, **_: o(org_id).get_dashboard(match[1])),
            r("DELETE", f"/api/dashboards/uid/{uid}", "Editor:dashboards:delete",
              lambda org_id, match, **_: o(org_id).delete_dashboard(match[1])),
            r("GET", f"/api/dashboards/uid/{uid}/versions", "Viewer:dashboards:read",
              lambda org_id, match, **_: o(org_id).versions(match[1])),
            r("GET", "/api/folders", "Viewer:folders:read", lambda org_id, **_: o(org_id).list_folders()),
            r("GET", f"/api/folders/{uid}", "Viewer:folders:read",
              lambda org_id, match, **_: o(org_id).get_folder(match[1])),
            r("POST", "/api/folders", "Editor:folders:create",
              lambda org_id, body, user, **_: o(org_id).create_folder(body, user)),
            r("PUT", f"/api/folders/{uid}", "Editor:folders:write",
              lambda org_id, match, body, user, **_: o(org_id).update_folder(match[1], body, user)),
            r("GET", f"/api/datasources/uid/{uid}", "Viewer:datasources:read",
              lambda org_id, match, **_: o(org_id).get_datasource(match[1])),
            r("POST", "/api/datasources", "Admin:datasources:create",
              lambda org_id, body, **_: o(org_id).create_datasource(body)),
            r("PUT", f"/api/datasources/uid/{uid}", "Admin:datasources:write",
              lambda org_id, match, body, **_: o(org_id).update_datasource(match[1], body)),
            r("GET", "/api/v1/provisioning/alert-rules", "Admin:alert.provisioning:read",
              lambda org_id, **_: p(org_id).list_rules()),
            r("POST", "/api/v1/provisioning/alert-rules", "Admin:alert.provisioning:write",
              lambda org_id, body, disable, **_: p(org_id).create_rule(body, disable)),
            r("GET", f"/api/v1/provisioning/alert-rules/{uid}", "Admin:alert.provisioning:read",
              lambda org_id, match, **_: p(org_id).get_rule(match[1])),
            r("DELETE", f"/api/v1/provisioning/alert-rules/{uid}", "Admin:alert.provisioning:write",
              lambda org_id, match, disable, **_: p(org_id).delete_rule(match[1], disable)),
            r("GET", f"/api/v1/provisioning/folder/{uid}/rule-groups/{uid}", "Admin:alert.provisioning:read",
              lambda org_id, match, **_: p(org_id).get_group(match[1], match[2])),
            r("PUT", f"/api/v1/provisioning/folder/{uid}/rule-groups/{uid}", "Admin:alert.provisioning:write",
              lambda org_id, match, body, disable, **_: p(org_id).put_group(match[1], match[2], body, disable)),
            r("GET", "/api/v1/provisioning/contact-points", "Admin:alert.provisioning:read",
              lambda org_id, **_: p(org_id).list_contact_points()),
            r("POST", "/api/v1/provisioning/contact-points", "Admin:alert.provisioning:write",
              lambda org_id, body, disable, **_: p(org_id).create_contact_point(body, disable)),
            r("PUT", f"/api/v1/provisioning/contact-points/{uid}", "Admin:alert.provisioning:write",
              lambda org_id, match, body, disable, **_: p(org_id).update_contact_point(match[1], body, disable)),
            r("GET", "/api/v1/provisioning/policies", "Admin:alert.provisioning:read",
              lambda org_id, **_: p(org_id).get_policies()),
            r("PUT", "/api/v1/provisioning/policies", "Admin:alert.provisioning:write",
              lambda org_id, body, disable, **_: p(org_id).put_policies(body, disable)),
        ]
