"""Whole-request deadlines and cancellation for requests/urllib3.

requests' `timeout` bounds each socket operation, not the request: a server that sends one byte a
second holds a request forever. Here every request runs as a `Flight` with a deadline; a watchdog
thread shuts down the flight's socket when the deadline passes, or at once when the run is
cancelled (Ctrl-C, or the deploy-wide deadline), so a blocked read returns immediately.
"""

from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager
from typing import Any, Iterator

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

_current = threading.local()


class Flight:
    """One request in flight: its deadline and the sockets it uses (duplicated, so shutting
    them down reaches the connection even after TLS wrapping took over the original object)."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._dead = False

    def attach(self, sock: Any) -> None:
        try:
            dup = socket.fromfd(sock.fileno(), sock.family, sock.type)
        except (OSError, ValueError, AttributeError):
            return
        with self._lock:
            if self._dead:
                _shutdown(dup)
            self._sockets.append(dup)

    def kill(self) -> None:
        with self._lock:
            self._dead = True
            for sock in self._sockets:
                _shutdown(sock)

    def close(self) -> None:
        with self._lock:
            for sock in self._sockets:
                try:
                    sock.close()
                except OSError:
                    pass
            self._sockets.clear()


def _shutdown(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


class Watchdog:
    """Kills flights past their deadline; `cancel` kills every flight and wakes every backoff."""

    def __init__(self, run_deadline: float = 0.0) -> None:
        self._flights: set[Flight] = set()
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._cancelled = threading.Event()
        self.reason = ""
        self.run_deadline = run_deadline  # absolute monotonic time, 0 for none
        self._stopped = False
        self._thread = threading.Thread(target=self._watch, name="dashgen-watchdog", daemon=True)
        self._thread.start()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def cancel(self, reason: str) -> None:
        """Stop everything now: in-flight requests fail at once, nothing new starts."""
        with self._lock:
            if not self._cancelled.is_set():
                self.reason = reason
                self._cancelled.set()
            flights = list(self._flights)
            self._wake.notify_all()
        for flight in flights:
            flight.kill()

    def wait(self, seconds: float) -> bool:
        """Sleep (a retry backoff) unless cancelled first; True when cancelled."""
        if self.run_deadline:
            seconds = min(seconds, max(0.0, self.run_deadline - time.monotonic()))
        return self._cancelled.wait(max(0.0, seconds))

    def remaining(self) -> float | None:
        return None if not self.run_deadline else self.run_deadline - time.monotonic()

    @contextmanager
    def flight(self, timeout: float) -> Iterator[Flight]:
        deadline = time.monotonic() + timeout
        if self.run_deadline:
            deadline = min(deadline, self.run_deadline)
        current = Flight(deadline)
        with self._lock:
            self._flights.add(current)
            self._wake.notify_all()
        if self.cancelled:
            current.kill()
        previous = getattr(_current, "flight", None)
        _current.flight = current
        try:
            yield current
        finally:
            _current.flight = previous
            with self._lock:
                self._flights.discard(current)
            current.close()

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            self._wake.notify_all()

    def _watch(self) -> None:
        with self._lock:
            while not self._stopped:
                now = time.monotonic()
                if self.run_deadline and now >= self.run_deadline and not self._cancelled.is_set():
                    self.reason = "deadline"
                    self._cancelled.set()
                expired = [f for f in self._flights if f.deadline <= now or self._cancelled.is_set()]
                for flight in expired:
                    flight.expired = flight.expired or flight.deadline <= now
                    flight.kill()
                    self._flights.discard(flight)
                times = [f.deadline for f in self._flights]
                if self.run_deadline and not self._cancelled.is_set():
                    times.append(self.run_deadline)
                self._wake.wait(max(0.001, min(times) - now) if times else None)


def _attach(sock: Any) -> None:
    flight: Flight | None = getattr(_current, "flight", None)
    if flight is not None and sock is not None:
        flight.attach(sock)


class _WatchedHTTPConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _attach(sock)
        return sock

    def request(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        if self.sock is not None:  # a kept-alive connection: this flight watches it too
            _attach(self.sock)
        super().request(*args, **kwargs)


class _WatchedHTTPSConnection(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _attach(sock)
        return sock

    def request(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        if self.sock is not None:
            _attach(self.sock)
        super().request(*args, **kwargs)


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


_POOLS = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


class WatchedAdapter(HTTPAdapter):
    """An HTTPAdapter whose connections (direct or through a proxy) report their sockets to the
    current flight."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = dict(_POOLS)

    def proxy_manager_for(self, proxy: str, **kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **kwargs)
        manager.pool_classes_by_scheme = dict(_POOLS)
        return manager


__all__ = ["Flight", "WatchedAdapter", "Watchdog"]
