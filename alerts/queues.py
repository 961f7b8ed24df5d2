"""Orchestrator and worker queue backlog."""

from generator import queries as q
from generator.alerting.helpers import concrete, dashboard
from generator.alerting.model import AlertRule, Threshold
from generator.config import Config

GROUP = "toygres-queues"


def rules(c: Config) -> list[AlertRule]:
    common = dict(group=GROUP, dashboard_uid=dashboard("queues_workers"))
    return [
        AlertRule(
            "ToygresOrchestratorQueueBacklog", query=concrete(c, q.orchestrator_queue(c)),
            threshold=Threshold(">", c.orchestrator_queue_warning), for_="5m", severity="warning",
            panel_title="Orchestrator queue depth",
            summary="Orchestration work is waiting for slots",
            description=("{{ $value }} orchestration items are queued (more than "
                         f"{c.orchestrator_queue_warning} for 5 minutes): turns are starved, usually "
                         "because every turn waits on the store."),
            # A load surge does not back this queue up (turns take milliseconds); slow turns do.
            fires_in=("store-lock-contention",),
            **common),
        AlertRule(
            "ToygresWorkerQueueBacklog", query=concrete(c, q.worker_queue(c)),
            threshold=Threshold(">", c.queue_warning), for_="10m", severity="warning",
            panel_title="Worker queue depth",
            summary="Activities are waiting for worker slots",
            description=("{{ $value }} activity items are queued (more than "
                         f"{c.queue_warning} for 10 minutes): all 10 worker slots are busy."),
            # runaway-client fills the queue at once. queue-backlog's 1.3x surge fires it too,
            # but its queue passes 20 only ~3 minutes in (and E2 re-polls the gauge every 60 s).
            fires_in=("runaway-client",), **common),
    ]
