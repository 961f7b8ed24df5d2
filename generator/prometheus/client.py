"""A small Prometheus HTTP API client (instant and range queries) over urllib."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from generator.errors import DashgenError


class QueryError(DashgenError):
    """Prometheus rejected a query (bad_data, execution error, timeout)."""


@dataclass(frozen=True)
class Series:
    """One result series: its labels and (timestamp, value) samples."""

    labels: dict[str, str]
    samples: list[tuple[float, float]]


class PrometheusUnreachable(QueryError):
    """The Prometheus did not answer at all (refused, timed out, not an HTTP server)."""


class DeadlinePassed(QueryError):
    """The run's deadline passed before this request could be sent."""


class Client:
    def __init__(self, url: str, timeout: float = 60.0, deadline: float | None = None) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        # Absolute time.monotonic() after which no request is sent (None: no run deadline).
        self.deadline = deadline
        self._metadata: dict[str, set[str]] | None = None
        self._lock = threading.Lock()

    def _timeout(self) -> float:
        if self.deadline is None:
            return self.timeout
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise DeadlinePassed("not run: the run's deadline passed")
        return min(self.timeout, remaining)

    def probe(self, timeout: float = 5.0) -> None:
        """One quick request that any Prometheus answers; raises PrometheusUnreachable otherwise."""
        request = urllib.request.Request(f"{self.url}/api/v1/status/buildinfo", method="GET")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                body = json.loads(response.read(1_000_000))
        except urllib.error.HTTPError as exc:
            raise PrometheusUnreachable(f"{self.url} answered HTTP {exc.code} to /api/v1/status/buildinfo: "
                                        "not a Prometheus API") from None
        except (urllib.error.URLError, TimeoutError, socket.timeout, ConnectionError, OSError) as exc:
            raise PrometheusUnreachable(f"Prometheus at {self.url} is unreachable ({_reason(exc, timeout)})") from None
        except ValueError:
            raise PrometheusUnreachable(f"{self.url} answered /api/v1/status/buildinfo with something other than "
                                        "JSON: not a Prometheus API") from None
        if not isinstance(body, dict) or body.get("status") != "success":
            raise PrometheusUnreachable(f"{self.url} is not a Prometheus API (unexpected /api/v1/status/buildinfo)")

    def metric_types(self) -> dict[str, set[str]]:
        """Metric name -> the types its targets declare (`# TYPE`), from /api/v1/metadata, read once;
        empty when the server has none (backfilled data carries no metadata)."""
        with self._lock:
            if self._metadata is None:
                try:
                    data = self._get("/api/v1/metadata", {}, method="GET")
                except QueryError:
                    data = {}
                types: dict[str, set[str]] = {}
                if isinstance(data, dict):
                    for name, entries in data.items():
                        if isinstance(entries, list):
                            types[str(name)] = {str(e.get("type")) for e in entries if isinstance(e, dict)}
                self._metadata = types
            return self._metadata

    def _get(self, path: str, params: dict[str, Any], method: str = "POST") -> Any:
        encoded = urllib.parse.urlencode(params)
        if method == "GET":
            request = urllib.request.Request(f"{self.url}{path}?{encoded}", method="GET")
        else:
            request = urllib.request.Request(f"{self.url}{path}", data=encoded.encode(), method="POST",
                                             headers={"Content-Type": "application/x-www-form-urlencoded"})
        timeout = self._timeout()
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                body = json.loads(response.read())
        except urllib.error.HTTPError as exc:
            try:
                body = json.loads(exc.read())
            except ValueError:
                raise QueryError(f"HTTP {exc.code} from {self.url}{path}") from None
        except (urllib.error.URLError, TimeoutError, socket.timeout, ConnectionError, OSError) as exc:
            raise PrometheusUnreachable(f"Prometheus at {self.url} unreachable: {_reason(exc, timeout)}") from None
        except ValueError:
            raise QueryError(f"{self.url}{path} answered with something other than JSON") from None
        if not isinstance(body, dict):
            raise QueryError(f"{self.url}{path} answered with JSON that is not a Prometheus reply")
        if body.get("status") != "success":
            raise QueryError(f"{body.get('errorType', 'error')}: {body.get('error', 'unknown error')}")
        return body["data"]

    def query_range(self, expr: str, start: float, end: float, step: float) -> list[Series]:
        return self.query_range_stats(expr, start, end, step)[0]

    def query_range_stats(self, expr: str, start: float, end: float, step: float) -> tuple[list[Series], int]:
        """Series plus the samples Prometheus had to read (its own `stats=all` accounting)."""
        data = self._get("/api/v1/query_range",
                         {"query": expr, "start": start, "end": end, "step": step, "stats": "all"})
        series = [Series(r["metric"], [(float(t), float(v)) for t, v in r["values"]]) for r in data["result"]]
        samples = int(((data.get("stats") or {}).get("samples") or {}).get("totalQueryableSamples", 0))
        return series, samples

    def label_values(self, label: str, match: str | None, start: float, end: float) -> list[str]:
        params: dict[str, Any] = {"start": start, "end": end}
        if match:
            params["match[]"] = match
        return sorted(self._get(f"/api/v1/label/{label}/values", params, method="GET"))

    def query_matrix(self, expr: str, time: float) -> list[Series]:
        """An instant query of a range selector (`x[1h]`): the raw samples, timestamps included."""
        data = self._get("/api/v1/query", {"query": expr, "time": time})
        if data["resultType"] != "matrix":
            raise QueryError(f"expected a range selector, got a {data['resultType']} from {expr}")
        return [Series(r["metric"], [(float(t), float(v)) for t, v in r["values"]]) for r in data["result"]]

    def query(self, expr: str, time: float) -> list[Series]:
        data = self._get("/api/v1/query", {"query": expr, "time": time})
        if data["resultType"] == "scalar":
            t, v = data["result"]
            return [Series({}, [(float(t), float(v))])]
        return [Series(r["metric"], [(float(r["value"][0]), float(r["value"][1]))]) for r in data["result"]]


def _reason(exc: BaseException, timeout: float) -> str:
    reason = getattr(exc, "reason", exc)
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return f"no answer within {timeout:g} s"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    text = str(reason).strip() or type(reason).__name__
    return text.split("] ", 1)[-1]
