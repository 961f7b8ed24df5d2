"""Deploy exception classes: each message is one line, names the resource, and never holds a secret."""

from __future__ import annotations

from generator.errors import DashgenError


class DeployError(DashgenError):
    """Base class for deploy and diff failures; `exit_code` is what the CLI exits with."""

    exit_code: int = 1


class ConnectionSettingsError(DeployError):
    """GRAFANA_* settings are missing or inconsistent."""


class CompiledOutputError(DeployError):
    """A compiled file under observability/ cannot be deployed (names the file)."""


class GrafanaUnreachable(DeployError):
    """Grafana did not answer: refused, timed out or dropped the connection after retries."""


class GrafanaTLSError(DeployError):
    """The TLS handshake failed (unknown CA, wrong host name, plain HTTP on an https URL)."""


class GrafanaAPIError(DeployError):
    """Grafana answered with an error status; carries the status and Grafana's own short reason."""

    def __init__(self, message: str, *, status: int, method: str, path: str, reason: str = "",
                 grafana_status: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.method = method
        self.path = path
        self.reason = reason
        self.grafana_status = grafana_status


class GrafanaAuthError(GrafanaAPIError):
    """401: the token or user/password is wrong or expired."""


class GrafanaForbidden(GrafanaAPIError):
    """403: the credentials are valid but lack a permission (the message says which)."""


class GrafanaNotFound(GrafanaAPIError):
    """404: the resource (or the folder a dashboard is saved into) does not exist."""


class GrafanaConflict(GrafanaAPIError):
    """409: the resource already exists or its provenance forbids the change."""


class GrafanaPreconditionFailed(GrafanaAPIError):
    """412: version-mismatch, name-exists or plugin-dashboard (see `grafana_status`)."""


class GrafanaBadRequest(GrafanaAPIError):
    """400: Grafana rejected the body (invalid dashboard, uid too long, ...)."""


class GrafanaServerError(GrafanaAPIError):
    """5xx or 429 that persisted through every retry."""


class MissingDataSources(DeployError):
    """Data sources the dashboards reference by uid are not in Grafana."""

    exit_code = 4


class DriftRefused(DeployError):
    """Managed dashboards were edited in Grafana since the last deploy; nothing was written."""

    exit_code = 3



class GrafanaRedirect(DeployError):
    """Grafana answered with a redirect; deploy never follows one (credentials stay on GRAFANA_URL)."""


class GrafanaMalformedReply(DeployError):
    """A 2xx answer whose JSON is not shaped like Grafana's (a list for an object, a hit without uid)."""


class DeployInterrupted(DeployError):
    """Ctrl-C, or the run's --deadline passed: in-flight requests were cancelled."""

    exit_code = 130


class DeployDeadline(DeployInterrupted):
    """The run's --deadline passed before it finished."""

    exit_code = 1
