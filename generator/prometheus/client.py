"""A small Prometheus HTTP API client (instant and range queries) over urllib."""

from __future__ import annotations

import json
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


class Client:
    def __init__(self, url: str, timeout: float = 60.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout

    def _get(self, path: str, params: dict[str, Any], method: str = "POST") -> Any:
        encoded = urllib.parse.urlencode(params)
        if method == "GET":
            request = urllib.request.Request(f"{self.url}{path}?{encoded}", method="GET")
        else:
            request = urllib.request.Request(f"{self.url}{path}", data=encoded.encode(), method="POST",
                                             headers={"Content-Type": "application/x-www-form-urlencoded"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = json.loads(response.read())
        except urllib.error.HTTPError as exc:
            try:
                body = json.loads(exc.read())
            except ValueError:
                raise QueryError(f"HTTP {exc.code} from {self.url}{path}") from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            raise QueryError(f"Prometheus at {self.url} unreachable: {exc}") from None
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

