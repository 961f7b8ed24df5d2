"""dashboard/uid: every dashboard has a uid of at most 40 characters, unique in the set."""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable, Sequence

from generator.lint.model import BaseRule, DashboardCtx
from generator.problems import Problem

MAX_UID = 40


class DashboardUid(BaseRule):
    id = "dashboard/uid"
    description = "Dashboards have a stable uid of at most 40 characters, unique across the set."

    def check_dashboard(self, ctx: DashboardCtx) -> Iterable[Problem]:
        uid = ctx.data.get("uid")
        if not uid and not ctx.portable:  # a deploy concern; Grafana itself copes
            yield self.at_dashboard(ctx, "no uid: Grafana invents one, and links, alerts and deploys lose track of it")
        elif len(str(uid)) > MAX_UID:
            yield self.at_dashboard(ctx, f"uid {uid!r} is {len(str(uid))} characters; Grafana allows at most {MAX_UID}")

    def check_all(self, dashboards: Sequence[DashboardCtx]) -> Iterable[Problem]:
        by_uid: dict[str, list[DashboardCtx]] = defaultdict(list)
        for d in dashboards:
            if d.data.get("uid") and not d.portable:
                by_uid[str(d.data["uid"])].append(d)
        for uid, group in sorted(by_uid.items()):
            if len(group) > 1:
                files = ", ".join(d.file for d in group)
                for d in group:
                    yield self.at_dashboard(d, f"duplicate uid {uid!r} (in {files})")


RULE = DashboardUid()
