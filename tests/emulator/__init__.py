"""A Grafana HTTP API emulator built from ../shared/reference/grafana.md for deploy tests and the bench."""

from tests.emulator.grafana import Account, GrafanaEmulator

__all__ = ["Account", "GrafanaEmulator"]
