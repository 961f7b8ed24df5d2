"""Deploy and diff compiled output (observability/) against a Grafana over its HTTP API.

Modules, in data-flow order: settings (connection, from the CLI's environment), compiled (read
observability/), client (HTTP with retries and one-line errors), survey (reads -> plan), plan
(pure decisions and the drift model), normalise (comparison and content hash), alerting (file
format -> provisioning API), apply (writes), deployer (one run end to end), report
(output), command (the click commands `deploy` and `diff`; the diff itself is generator/review).
"""

from generator.deploy.deployer import DeployRequest, run_deploy
from generator.deploy.plan import Action, Kind, Plan, Resource
from generator.deploy.settings import ConnectionSettings

__all__ = ["Action", "ConnectionSettings", "DeployRequest", "Kind", "Plan", "Resource", "run_deploy"]
