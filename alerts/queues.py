"""Orchestrator and worker queue backlog."""

from generator import queries as q
from generator.alerting.helpers import concrete, runbook
from generator.alerting.model import AlertRule, Threshold
from generator.config import Config

GROUP = "toygres-queues"


def rules(c: Config) -> list[AlertRule]:
    common = dict(group=GROUP, dashboard_uid="toygres-queues-workers", fires_in=("queue-backlog",))
    return [
        AlertRule(
            "ToygresOrchestratorQueueBacklog", query=concrete(c, q.orchestrator_queue(c)),
            threshold=Threshold(">", c.queue_warning), for_="10m", severity="warning",
            panel_title="Orchestrator queue depth",
            summary="Orchestration work is waiting for slots",
            description=("{{ $value }} orchestration items are queued (more than "
                         f"{c.queue_warning} for 10 minutes): all 10 orchestration slots are busy."),
            runbook_url=runbook(c, "ToygresOrchestratorQueueBacklog"), **common),
        AlertRule(
            "ToygresWorkerQueueBacklog", query=concrete(c, q.worker_queue(c)),
            threshold=Threshold(">", c.queue_warning), for_="10m", severity="warning",
            panel_title="Worker queue depth",
            summary="Activities are waiting for worker slots",
            description=("{{ $value }} activity items are queued (more than "
                         f"{c.queue_warning} for 10 minutes): all 10 worker slots are busy."),
            runbook_url=runbook(c, "ToygresWorkerQueueBacklog"), **common),
    ]
