"""dashgen: Toygres dashboards, queries and alerts as Python, compiled to Grafana provisioning
files and proven against a simulated duroxide workload."""

__version__ = "0.1.0"
