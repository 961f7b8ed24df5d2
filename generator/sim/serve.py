"""`dashgen simulate --serve`: the model advancing in real time (or `speed` times faster) behind
live /metrics endpoints on 127.0.0.1 that Prometheus can scrape, with optional Loki pushes."""

from __future__ import annotations

import json
import threading
import time
from typing import Any, Callable, Iterator

import requests
from prometheus_client.core import CollectorRegistry, Metric
from prometheus_client.exposition import start_http_server

from generator.catalogue import E2_SUMMARY_QUANTILES, Era, MetricType, recorded_metrics
from generator.sim.export import family_name
from generator.sim.logs import loki_push_body
from generator.sim.model import Simulation
from generator.sim.collector import COLLECTOR_JOB
from generator.sim.options import SimOptions, SimulationError, parse_target_labels
from generator.sim.recorder import ReplicaMetrics, exposition_type, format_le

LOKI_PUSH_PATH = "/loki/api/v1/push"
PUSH_EVERY_SECONDS = 1.0


class ReplicaCollector:
    """A prometheus_client collector over live recorder state (read under the model's lock).

    E2: one endpoint per process, no target labels (Prometheus adds job and instance).
    E1: one endpoint for all processes, like the OTel collector's exporter, whose job /
    instance / service_name labels Prometheus stores as exported_job, exported_instance, ...
    """

    def __init__(self, sim: Simulation, lock: threading.Lock, replicas: list[int]) -> None:
        self.sim = sim
        self.lock = lock
        self.replicas = replicas

    def collect(self) -> Iterator[Metric]:
        """Families of every live process this endpoint exposes, read under the model lock."""
        era = self.sim.options.era
        with self.lock:
            # exporter-down: the page is empty, so Prometheus marks every series stale.
            down = self.sim.runtime.faults.scrape_down
            collector = self.sim.collector
            if collector is not None:
                # E1: the collector's state (the latest push of every label set, a crashed
                # process's last values included), exposed as its Prometheus exporter does.
                sources = [] if down else [(collector.metrics, self._extra(0))]
            else:
                sources = [(self.sim.recorder.replicas[i], self._extra(i)) for i in self.replicas
                           if self.sim.runtime.replicas[i].alive and not down]
            for metrics, _ in sources:
                metrics.refresh_summaries()
            families = [self._family(metric.name, metric.type, metric.help, sources)
                        for metric in recorded_metrics(Era(era))]
        yield from (f for f in families if f.samples)

    def _extra(self, index: int) -> dict[str, str]:
        if self.sim.options.era == "E2":
            return {}
        # The exporter's own job (service.name); no instance label: the resource has no
        # service.instance.id. Prometheus stores job as exported_job.
        return {"job": self.sim.options.job, "service_name": "toygres", "service_version": "0.1.0",
                "otel_scope_name": "duroxide"}

    def _family(self, name: str, kind: MetricType, help_text: str,
                sources: list[tuple[ReplicaMetrics, dict[str, str]]]) -> Metric:
        family = Metric(family_name(name, kind), help_text, exposition_type(kind, self.sim.options.era))
        for metrics, extra in sources:
            vals = metrics.vals
            for series in metrics.families.get(name, ()):
                slot = series.slot
                if vals[slot] is None:
                    continue
                labels = {**extra, **dict(series.labels)}
                if series.kind == "value":
                    family.add_sample(name, labels, float(vals[slot]))
                    continue
                if series.kind == "histogram":
                    bounds = metrics.bounds[name]
                    for i, bound in enumerate(bounds):
                        family.add_sample(f"{name}_bucket", {**labels, "le": format_le(bound)}, float(vals[slot + i]))
                    head = len(bounds)
                    family.add_sample(f"{name}_bucket", {**labels, "le": "+Inf"}, float(vals[slot + head]))
                else:
                    for i, q in enumerate(E2_SUMMARY_QUANTILES):
                        family.add_sample(name, {**labels, "quantile": q}, float(vals[slot + i]))
                    head = len(E2_SUMMARY_QUANTILES)
                family.add_sample(f"{name}_count", labels, float(vals[slot + head]))
                family.add_sample(f"{name}_sum", labels, float(vals[slot + head + 1]))
        return family


class LiveServer:
    """Runs a Simulation against the wall clock; start() returns the endpoint URLs."""

    def __init__(self, options: SimOptions, *, speed: float = 1.0, port: int = 0, loki_url: str | None = None,
                 until_seconds: float | None = None, on_message: Callable[[str], None] = lambda _: None,
                 host: str = "127.0.0.1") -> None:
        if speed <= 0:
            raise SimulationError("--speed must be positive")
        self.options = options
        self.speed = speed
        self.port = port
        self.host = host
        self.loki_url = loki_url.rstrip("/") if loki_url else None
        self.until = until_seconds
        self.on_message = on_message
        self.sim = Simulation(options, keep_snapshots=False)
        self.lock = threading.Lock()
        self._stop = threading.Event()
        self._servers: list[Any] = []
        self._threads: list[threading.Thread] = []
        self._wall0 = 0.0
        self._wall0_unix = 0.0
        self._push_errors: set[str] = set()
        self.urls: list[str] = []

    def start(self) -> list[str]:
        """Run the warm-up, open the endpoints, start the pacer; returns the /metrics URLs."""
        o = self.options
        step = o.scrape_interval
        # The warm-up runs instantly: the fleet exists when the endpoints open.
        for t in range(-((o.prewarm_seconds // step) * step) + step, 1, step):
            self.sim.step(float(t))
        self.sim.sample(0.0)
        groups = [[i] for i in range(o.replicas)] if o.era == "E2" else [list(range(o.replicas))]
        registries = []
        for group in groups:
            registry = CollectorRegistry(auto_describe=False)
            registry.register(ReplicaCollector(self.sim, self.lock, group))  # type: ignore[arg-type]
            registries.append(registry)
        if o.second_job:
            # AKS: the second job scrapes each process again at the pod's own address; here a
            # second endpoint per process over the same state (see scrape_configs).
            registries += registries[:]
        for n, registry in enumerate(registries):
            wanted = self.port + n if self.port else 0
            try:
                server, thread = start_http_server(wanted, addr=self.host, registry=registry)
            except OSError as exc:
                self.stop()
                raise SimulationError(f"cannot listen on {self.host}:{wanted}: {exc.strerror or exc}") from None
            self._servers.append(server)
            self.urls.append(f"http://{self.host}:{server.server_port}/metrics")
        self._wall0 = time.monotonic()
        self._wall0_unix = time.time()
        pacer = threading.Thread(target=self._pace, name="sim-pacer", daemon=True)
        pacer.start()
        self._threads.append(pacer)
        return self.urls

    def scrape_configs(self) -> list[dict[str, Any]]:
        """The Prometheus scrape jobs that store these endpoints as the deployment would: E2 one
        job (`options.job`) over the per-process endpoints, plus, with a second scrape job
        (AKS: kubernetes-pods), that job over the second endpoints, both with the target labels
        (`scrape_target_labels`), so every series exists twice as in the backfilled output; E1
        the collector's job. Call after start()."""
        o = self.options
        hosts = [url.removeprefix("http://").removesuffix("/metrics") for url in self.urls]
        labels = dict(parse_target_labels(o.target_labels))
        if o.era == "E1":
            # Toygres' prometheus.yml adds service="toygres" to the collector target (collector_labels).
            return [{"job_name": COLLECTOR_JOB, "honor_labels": False,
                     "static_configs": [{"targets": hosts, "labels": {"service": "toygres"}}]}]
        own = {"targets": hosts[:o.replicas], **({"labels": labels} if labels else {})}
        jobs: list[dict[str, Any]] = [{"job_name": o.job, "static_configs": [own]}]
        if o.second_job:
            pods = {"targets": hosts[o.replicas:], **({"labels": labels} if labels else {})}
            jobs.append({"job_name": o.second_job, "static_configs": [pods]})
        return jobs

    def to_micros(self, t: float) -> int:
        """Simulated seconds to wall-clock microseconds (log timestamps line up with scrapes)."""
        return int((self._wall0_unix + t / self.speed) * 1_000_000)

    def simulated_seconds(self) -> float:
        with self.lock:
            return self.sim.engine.now

    def finished(self) -> bool:
        return self._stop.is_set()

    def _pace(self) -> None:
        step = float(self.options.scrape_interval)
        next_scrape = step
        last_push = time.monotonic()
        while not self._stop.wait(0.05):
            target = (time.monotonic() - self._wall0) * self.speed
            if self.until is not None:
                target = min(target, self.until)
            with self.lock:
                while next_scrape <= target:
                    self.sim.step(next_scrape)
                    self.sim.sample(next_scrape)
                    del self.sim.truth.samples[:-1]
                    next_scrape += step
                self.sim.engine.run_until(target)
            if time.monotonic() - last_push >= PUSH_EVERY_SECONDS:
                self._push_logs()
                last_push = time.monotonic()
            if self.until is not None and target >= self.until:
                self._push_logs()
                self._stop.set()

    def _push_logs(self) -> None:
        with self.lock:
            batch = self.sim.logs.records[:]
            self.sim.logs.records.clear()  # pushed (or unread): keep memory flat
        if self.loki_url is None:
            return
        if not batch:
            return
        body = loki_push_body(batch, self.to_micros, self.options.log_shipping, self.options.job)
        url = self.loki_url if self.loki_url.endswith(LOKI_PUSH_PATH) else self.loki_url + LOKI_PUSH_PATH
        try:
            reply = requests.post(url, data=json.dumps(body), headers={"Content-Type": "application/json"}, timeout=5)
            problem = None if reply.status_code < 300 else f"HTTP {reply.status_code}: {reply.text[:200].strip()}"
        except requests.RequestException as exc:
            problem = str(exc).splitlines()[0]
        if problem and problem not in self._push_errors:
            self._push_errors.add(problem)
            self.on_message(f"loki push to {url} failed: {problem}")

    def stop(self) -> None:
        """Stop pacing and close every endpoint."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)
        for server in self._servers:
            server.shutdown()
            server.server_close()
        self._servers.clear()
