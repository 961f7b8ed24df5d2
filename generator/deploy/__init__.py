"""Deploy and diff compiled output (observability/) against a Grafana over its HTTP API.

Modules, in data-flow order: settings (connection, from the CLI's environment), compiled (read
observability/), client (HTTP with retries and one-line errors), survey (reads -> plan), plan
(pure decisions and the drift model), normalise (comparison and content hash), alerting (file
format -> provisioning API), apply (writes), deployer (one run end to end), report
(output), command (the click commands `deploy` and `diff`; the diff itself is generator/review).
"""

import importlib
from typing import Any

# Imported on first use, so `dashgen diff --base` (which never talks to Grafana) starts fast.
_EXPORTS = {"DeployRequest": "generator.deploy.deployer", "run_deploy": "generator.deploy.deployer",
            "Action": "generator.deploy.plan", "Kind": "generator.deploy.plan", "Plan": "generator.deploy.plan",
            "Resource": "generator.deploy.plan", "ConnectionSettings": "generator.deploy.settings"}


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'generator.deploy' has no attribute {name!r}")


__all__ = ["Action", "ConnectionSettings", "DeployRequest", "Kind", "Plan", "Resource", "run_deploy"]
