"""A webhook receiver that prints every notification it gets as one JSON line and keeps the
last ones for GET /received: the stack's local alert sink (instead of a placeholder URL) and
the receiver the live alert test listens with. Standard library only: it runs as a bare script
in the stack (`python sink.py --port 8081`)."""

from __future__ import annotations

import argparse
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MAX_KEPT = 1000
MAX_BODY = 1 << 20


class Sink(ThreadingHTTPServer):
    """POST /<receiver>: a notification for that receiver; GET /received: all of them as JSON."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], echo: bool = True) -> None:
        super().__init__(address, _Handler)
        self.echo = echo
        self.lock = threading.Lock()
        self.received: list[dict[str, Any]] = []

    def record(self, receiver: str, body: Any) -> None:
        entry = {"receiver": receiver, "body": body}
        with self.lock:
            self.received.append(entry)
            del self.received[:-MAX_KEPT]
        if self.echo:
            print(json.dumps(entry, sort_keys=True), flush=True)

    def snapshot(self) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.received)


class _Handler(BaseHTTPRequestHandler):
    server: Sink

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self._reply(413, {"error": "body too large"})
            return
        raw = self.rfile.read(length)
        try:
            body: Any = json.loads(raw or b"null")
        except ValueError:
            self._reply(400, {"error": "body is not JSON"})
            return
        self.server.record(self.path.strip("/") or "default", body)
        self._reply(200, {"status": "ok"})

    def do_GET(self) -> None:  # noqa: N802
        if self.path == "/healthz":
            self._reply(200, {"status": "ok"})
        elif self.path == "/received":
            self._reply(200, self.server.snapshot())
        else:
            self._reply(404, {"error": "not found"})

    def _reply(self, status: int, data: Any) -> None:
        payload = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (http.server's signature)
        pass


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    args = parser.parse_args(argv)
    try:
        server = Sink((args.host, args.port))
    except OSError as exc:
        print(f"sink: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        sys.exit(1)
    print(f"sink: listening on {args.host}:{server.server_port}", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
