"""`dashgen simulate`: run the simulated Toygres workload into files, or serve it live."""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone
from pathlib import Path

import click

from generator import config as config_module
from generator.sim.export import prepare_dir
from generator.sim.model import run_options
from generator.sim.options import (SimulationError, build_options, format_duration, parse_duration, parse_end)
from generator.sim.scenarios import SCENARIOS

_EPILOG = "Scenarios: " + ", ".join(SCENARIOS) + ". See docs/simulator.md."


def _utc(ts: int) -> str:
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@click.command("simulate", epilog=_EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--scenario", "scenarios", multiple=True, metavar="NAME",
              help="Scenario to apply; repeat to compose (default: healthy).")
@click.option("--list-scenarios", is_flag=True, help="List the scenarios and what an operator should see.")
@click.option("--duration", default=None, metavar="DUR",
              help="Window length: 90m, 6h, 1h30m (default 6h; with --serve: run until stopped).")
@click.option("--end", default=None, metavar="TIME",
              help="Window end: unix seconds or RFC 3339 (default: now, rounded to the scrape interval).")
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed; same seed and --end, same bytes.")
@click.option("--era", default=None, metavar="E1|E2",
              help="E1: OTLP through the collector (job=otel-collector, exported_job); E2: direct scrape.")
@click.option("--replicas", type=int, default=1, show_default=True, help="Toygres processes (gauges are per process).")
@click.option("--scrape-interval", type=int, default=None, metavar="SECONDS", help="Default: the config's.")
@click.option("--instances", type=int, default=30, show_default=True, help="Steady-state live Toygres instances.")
@click.option("--create-rate", type=float, default=15.0, show_default=True, help="Instance creates per hour.")
@click.option("--image-rate", type=float, default=0.5, show_default=True, help="Image builds per hour.")
@click.option("--orchestration-slots", type=int, default=None, help="Per process (default: 2 newest, 10 head).")
@click.option("--toygres-version", default="newest", show_default=True, type=click.Choice(["newest", "head"]),
              help="Toygres' workload: its newest commits, or main at 2f64720 (10/10 slots, deploy-postgres, "
                   "60 x a slow wait-for-ready, actors failing on CMS errors).")
@click.option("--worker-slots", type=int, default=10, show_default=True, help="Per process.")
@click.option("--fault-start", default="30m", show_default=True, metavar="DUR",
              help="When faults start, after a healthy warm-up.")
@click.option("--fault-duration", default=None, metavar="DUR", help="Override every scenario's fault length.")
@click.option("--batch-size", type=int, default=50, show_default=True, help="Instances in the burst scenario's batch.")
@click.option("--log-filter", default="local", show_default=True, metavar="local|kubernetes|DIRECTIVES",
              help="Toygres' tracing filter: local (toygres-server's default: duroxide::runtime at DEBUG), "
                   "kubernetes (the AKS configmap: duroxide at INFO) or RUST_LOG directives.")
@click.option("--log-shipping", default=None, metavar="push|promtail|otlp", help="Loki stream labels (default: config's).")
@click.option("--duroxide-version", default=None, metavar="X.Y.Z",
              help="duroxide release to model (default: the era's newest, 0.1.26 / 0.1.14); decides the gauges and, up to 0.1.9, config_error for unregistered activities.")
@click.option("--fleet-age", default=None, metavar="DUR",
              help="How long the initial fleet's instance actors have been cycling when the processes start "
                   "(e.g. 7d; default 0: the fleet is created in the warm-up, every actor at execution 1). An "
                   "older fleet's actors sit at distinct execution ids, so continue_as_new_total{execution_id} "
                   "gains a label set per actor cycle (E1 reaches its 2000-label-set limit within the hour).")
@click.option("--env", "env", default=None, metavar="ENV", help="Environment (observability/env/ENV.yaml) or YAML file.")
@click.option("--out", "out_dir", default=None, metavar="DIR",
              help="Write metrics.om, truth.jsonl, logs.txt and loki-push.json here.")
@click.option("--check-signatures", is_flag=True, help="Judge each scenario's expected truth signature; exit 1 on a miss.")
@click.option("--serve", is_flag=True, help="Serve live /metrics on 127.0.0.1 instead of writing files.")
@click.option("--port", type=int, default=0, show_default=True, help="First port for --serve (0: free ports).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address for --serve (0.0.0.0 only inside a container, e.g. the docker-compose stack).")
@click.option("--speed", type=float, default=1.0, show_default=True, help="Simulated seconds per real second (--serve).")
@click.option("--loki-url", default=None, metavar="URL", help="Push log lines to this Loki while serving.")
def simulate(scenarios: tuple[str, ...], list_scenarios: bool, duration: str | None, end: str | None, seed: int,
             era: str | None, replicas: int, scrape_interval: int | None, instances: int, create_rate: float,
             image_rate: float, orchestration_slots: int | None, toygres_version: str, worker_slots: int, fault_start: str,
             fault_duration: str | None, batch_size: int, log_filter: str, log_shipping: str | None,
             duroxide_version: str | None, fleet_age: str | None, env: str | None, out_dir: str | None, check_signatures: bool, serve: bool,
             port: int, host: str, speed: float, loki_url: str | None) -> None:
    """Simulate Toygres on duroxide: metrics, logs and ground truth.

    A deterministic discrete-event model of the Toygres control plane (creates, deletes,
    instance actors, the system pruner) running on duroxide's bounded slots, recording every
    metric and log line the way duroxide does, quirks included. With --out it writes an
    OpenMetrics file for `promtool tsdb create-blocks-from openmetrics`, the ground truth per
    scrape instant, duroxide's text log and Loki push JSON; with --serve it advances in real
    time behind live /metrics endpoints.
    """
    if list_scenarios:
        for scenario in SCENARIOS.values():
            click.echo(f"{scenario.name}\n  {scenario.summary}\n  operator sees: {scenario.operator_sees}")
        return
    config = config_module.load(env)
    interval = scrape_interval or config.scrape_interval_seconds
    if not serve and out_dir is None:
        raise SimulationError("--out DIR is required (or use --serve)")
    seconds = parse_duration(duration) if duration is not None else (6 * 3600 if not serve else 10 * 365 * 86400)
    end_ts = parse_end(end) if end is not None else int(time.time())
    if serve:
        end_ts = int(time.time()) + seconds
    options = build_options(
        config, scenarios=scenarios or ("healthy",), end_ts=end_ts, duration_seconds=seconds, seed=seed, era=era,
        replicas=replicas, scrape_interval=interval, instances=instances, create_rate_per_hour=create_rate,
        image_rate_per_hour=image_rate, orchestration_slots=orchestration_slots, worker_slots=worker_slots,
        toygres_version=toygres_version,
        fault_start_seconds=parse_duration(fault_start, "--fault-start"),
        fault_duration_seconds=parse_duration(fault_duration, "--fault-duration") if fault_duration else None,
        batch_size=batch_size, log_filter=log_filter, log_shipping=log_shipping,
        duroxide_version=duroxide_version,
        fleet_age_seconds=parse_duration(fleet_age, "--fleet-age", zero=True) if fleet_age is not None else None)
    if serve:
        _serve(options, port, host, speed, loki_url, seconds if duration is not None else None)
        return
    prepare_dir(Path(out_dir))  # type: ignore[arg-type]
    started = time.monotonic()

    def progress(done: float, total: float) -> None:
        click.echo(f"simulate: {format_duration(int(done))} of {format_duration(int(total))} simulated "
                   f"({time.monotonic() - started:.1f}s)", err=True)

    result = run_options(options, progress if options.duration_seconds > 3600 else None)
    paths = result.write(Path(out_dir))  # type: ignore[arg-type]
    click.echo(f"window {_utc(options.start_ts)} .. {_utc(options.end_ts)} ({options.era}, "
               f"{options.replicas} replica(s), scenarios: {', '.join(result.header['scenarios'])})")
    if result.header["onset"] is not None:
        click.echo(f"fault onset {_utc(result.header['onset'])}")
    click.echo(f"{result.series_count()} series x {len(result.truth)} scrapes in "
               f"{time.monotonic() - started:.1f}s")
    for path in paths:
        click.echo(f"wrote {path}")
    if check_signatures:
        misses = [c for c in result.evaluate() if not c.ok]
        for c in result.evaluate():
            click.echo(f"{'ok  ' if c.ok else 'MISS'} {c.scenario}: {c.path} {c.expectation} ({c.detail})")
        if misses:
            raise SimulationError(f"{len(misses)} scenario signature(s) missing from the truth")


def _serve(options: object, port: int, host: str, speed: float, loki_url: str | None, until: float | None) -> None:
    from generator.sim.serve import LiveServer

    server = LiveServer(options, speed=speed, port=port, host=host, loki_url=loki_url, until_seconds=until,  # type: ignore[arg-type]
                        on_message=lambda m: click.echo(f"simulate: {m}", err=True))
    urls = server.start()
    for url in urls:
        click.echo(f"serving {url}")
    # How Prometheus must scrape these endpoints to store what the deployment stores (AKS: two
    # jobs over every process, so every series twice); JSON is YAML.
    click.echo("scrape_configs: " + json.dumps(server.scrape_configs()))
    click.echo(f"simulate: {speed:g} simulated second(s) per second; Ctrl-C to stop", err=True)
    try:
        while not server.finished():
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
