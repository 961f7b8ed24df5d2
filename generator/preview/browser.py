"""Headless Chromium driven over the DevTools protocol on a pipe (no WebSocket, no extra package):
load a page, wait until it has drawn, collect console errors and panel boxes, screenshot it."""

from __future__ import annotations

import base64
import fcntl
import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.errors import DashgenError

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
INSTALL_HINT = "install it with `apt-get install -y --no-install-recommends chromium` (or run `make chromium`)"
PANELS_JS = """JSON.stringify(Array.from(document.querySelectorAll('[data-panel-title]')).map(function (e) {
  var r = e.getBoundingClientRect();
  return {title: e.getAttribute('data-panel-title'), type: e.getAttribute('data-panel-type'),
          x: r.left + window.scrollX, y: r.top + window.scrollY, width: r.width, height: r.height};
}))"""


class BrowserError(DashgenError):
    """Chromium is missing, crashed, or a page did not load."""


@dataclass(frozen=True)
class PanelBox:
    title: str
    type: str
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Capture:
    """A loaded page: its screenshot, the panels in its DOM and what went wrong in its console."""

    png: bytes
    panels: tuple[PanelBox, ...]
    console_errors: tuple[str, ...]


def find_chromium(explicit: str | None = None) -> str:
    for name in ((explicit,) if explicit else CANDIDATES):
        path = shutil.which(name) if name else None
        if path:
            return path
    raise BrowserError(f"{explicit or 'chromium'} not found: {INSTALL_HINT}")


def _high(fd: int) -> int:
    """The fd moved above 10, so the child's dup2 onto 3 and 4 cannot clobber it."""
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return moved


class Chromium:
    """One headless browser for many pages; use as a context manager."""

    def __init__(self, binary: str | None = None, timeout: float = 60.0) -> None:
        self.path = find_chromium(binary)
        self.timeout = timeout
        self._next_id = 0
        self._responses: dict[int, queue.Queue[dict[str, Any]]] = {}
        self._events: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def __enter__(self) -> "Chromium":
        self._profile = tempfile.TemporaryDirectory(prefix="dashgen-chromium-")
        to_child_r, to_child_w = (_high(fd) for fd in os.pipe())
        from_child_r, from_child_w = (_high(fd) for fd in os.pipe())

        def wire() -> None:  # runs in the child: Chromium reads commands on fd 3, answers on fd 4
            os.dup2(to_child_r, 3)
            os.dup2(from_child_w, 4)

        args = [self.path, "--headless=new", "--remote-debugging-pipe", "--disable-gpu", "--hide-scrollbars",
                "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--mute-audio",
                "--disable-dev-shm-usage", "--disable-background-networking", "--allow-file-access-from-files",
                f"--user-data-dir={self._profile.name}", "--font-render-hinting=none"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            args.append("--no-sandbox")  # Chromium refuses to run its sandbox as root
        self._process = subprocess.Popen(args + ["about:blank"], preexec_fn=wire, close_fds=False,
                                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL)
        os.close(to_child_r)
        os.close(from_child_w)
        self._writer = os.fdopen(to_child_w, "wb", buffering=0)
        self._reader = threading.Thread(target=self._read, args=(os.fdopen(from_child_r, "rb", buffering=0),),
                                        daemon=True)
        self._reader.start()
        self.call("Browser.getVersion")
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.call("Browser.close", timeout=5)
        except BrowserError:
            pass
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._writer.close()
        self._profile.cleanup()

    def _read(self, stream: Any) -> None:
        buffer = b""
        while True:
            chunk = stream.read(65536)
            if not chunk:
                break
            buffer += chunk
            while b"\0" in buffer:
                raw, buffer = buffer.split(b"\0", 1)
                message = json.loads(raw)
                if "id" in message and message["id"] in self._responses:
                    self._responses[message["id"]].put(message)
                else:
                    with self._lock:
                        self._events.append(message)
        for waiting in list(self._responses.values()):
            waiting.put({"error": {"message": "chromium exited"}})

    def call(self, method: str, params: dict[str, Any] | None = None, session: str | None = None,
             timeout: float | None = None) -> dict[str, Any]:
        self._next_id += 1
        ident = self._next_id
        self._responses[ident] = queue.Queue()
        message: dict[str, Any] = {"id": ident, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        try:
            self._writer.write(json.dumps(message).encode() + b"\0")
            reply = self._responses[ident].get(timeout=timeout or self.timeout)
        except (queue.Empty, BrokenPipeError, OSError):
            raise BrowserError(f"chromium did not answer {method} within {timeout or self.timeout:.0f}s") from None
        finally:
            self._responses.pop(ident, None)
        if "error" in reply:
            raise BrowserError(f"chromium: {method} failed: {reply['error'].get('message')}")
        result: dict[str, Any] = reply.get("result") or {}
        return result

    def _session_events(self, session: str, method: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [e for e in self._events if e.get("sessionId") == session and (method is None or e["method"] == method)]

    def capture(self, page: Path, width: int, height: int) -> Capture:
        """Load a local page at width x height, wait for `data-ready`, then screenshot the whole page."""
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        try:
            for method in ("Page.enable", "Runtime.enable", "Log.enable"):
                self.call(method, session=session)
            self.call("Emulation.setDeviceMetricsOverride",
                      {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}, session=session)
            self.call("Page.navigate", {"url": page.resolve().as_uri()}, session=session)
            deadline = time.monotonic() + self.timeout
            while time.monotonic() < deadline:
                ready = self.call("Runtime.evaluate", {"expression": "document.readyState === 'complete' && "
                                                       "document.body && document.body.getAttribute('data-ready')",
                                                       "returnByValue": True}, session=session)
                if (ready.get("result") or {}).get("value") == "1":
                    break
                if self._session_events(session, "Runtime.exceptionThrown"):
                    break
                time.sleep(0.05)
            boxes = self.call("Runtime.evaluate", {"expression": PANELS_JS, "returnByValue": True}, session=session)
            panels = tuple(PanelBox(**b) for b in json.loads((boxes.get("result") or {}).get("value") or "[]"))
            shot = self.call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True,
                                                        "clip": {"x": 0, "y": 0, "width": width, "height": height,
                                                                 "scale": 1}}, session=session)
            errors = self._errors(session)
            ready_now = self.call("Runtime.evaluate", {"expression": "document.body.getAttribute('data-ready')",
                                                       "returnByValue": True}, session=session)
            if (ready_now.get("result") or {}).get("value") != "1" and not errors:
                errors.append("the page did not finish drawing (no data-ready mark)")
            return Capture(base64.b64decode(shot["data"]), panels, tuple(errors))
        finally:
            self.call("Target.closeTarget", {"targetId": target})
            with self._lock:
                self._events = [e for e in self._events if e.get("sessionId") != session]

    def _errors(self, session: str) -> list[str]:
        errors = []
        for event in self._session_events(session):
            params = event.get("params") or {}
            if event["method"] == "Runtime.exceptionThrown":
                details = params.get("exceptionDetails") or {}
                errors.append(str((details.get("exception") or {}).get("description") or details.get("text")))
            elif event["method"] == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                errors.append(" ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args") or []))
            elif event["method"] == "Log.entryAdded" and (params.get("entry") or {}).get("level") == "error":
                entry = params["entry"]
                errors.append(f"{entry.get('text')} {entry.get('url', '')}".strip())
        return errors
