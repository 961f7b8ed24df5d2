"""What a log panel can declare it shows, as a set of log catalogue events.

A claim is a `+`-joined list of the names below ("errors + store + poison"). `dashgen check`
compares the lines a panel's LogQL keeps in each scenario with the lines the simulation
recorded for the claimed events: a panel that hides one of them fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping

from generator.errors import DashgenError
from generator.log_catalogue import BY_KEY, LogEvent

Predicate = Callable[[LogEvent, str, Mapping[str, str]], bool]


@dataclass(frozen=True)
class ClaimPart:
    name: str
    description: str
    matches: Predicate
    uses_fields: bool = False


PARTS: dict[str, ClaimPart] = {p.name: p for p in (
    ClaimPart("every line", "every line Toygres' filter lets through", lambda e, lv, f: True),
    ClaimPart("warnings and errors", "every WARN and ERROR line", lambda e, lv, f: lv in ("WARN", "ERROR")),
    ClaimPart("errors", "every ERROR line", lambda e, lv, f: lv == "ERROR"),
    ClaimPart("store", "the store's failures: fetch, ack and session errors", lambda e, lv, f: e.kind == "store"),
    ClaimPart("poison", "poisoned messages and the turns they abort", lambda e, lv, f: e.kind == "poison"),
    ClaimPart("dispatcher", "other dispatcher warnings (terminal instances, grace periods)",
              lambda e, lv, f: e.kind == "dispatcher"),
    ClaimPart("configuration", "unregistered orchestrations and activities, unreadable histories",
              lambda e, lv, f: e.kind == "config"),
    ClaimPart("orchestrations", "orchestration lifecycle, outcomes and traces",
              lambda e, lv, f: e.key.startswith("orch.") and e.kind in ("lifecycle", "outcome")
              or e.key == "app.orchestration"),
    ClaimPart("activities", "activity lifecycle, outcomes and traces",
              lambda e, lv, f: e.key.startswith("activity.") and e.kind in ("lifecycle", "outcome")
              or e.key == "app.activity"),
    ClaimPart("slow activities", "activity outcome lines with duration_ms > 1000",
              lambda e, lv, f: e.key in ("activity.completed", "activity.failed")
              and int(f.get("duration_ms", "0")) > 1000, uses_fields=True),
)}


class ClaimError(DashgenError):
    """A panel declares a claim this vocabulary does not have."""


@dataclass(frozen=True)
class Claim:
    text: str
    parts: tuple[ClaimPart, ...]

    def covers(self, event_key: str, level: str, fields: Mapping[str, str]) -> bool:
        event = BY_KEY[event_key]
        return any(p.matches(event, level, fields) for p in self.parts)

    def by_event(self) -> dict[tuple[str, str], bool | None]:
        """(event, level) -> covered, or None where the answer depends on the line's fields."""
        out: dict[tuple[str, str], bool | None] = {}
        for event in BY_KEY.values():
            for level in event.levels:
                if any(p.uses_fields for p in self.parts):
                    out[(event.key, level)] = None
                else:
                    out[(event.key, level)] = any(p.matches(event, level, {}) for p in self.parts)
        return out

    @property
    def description(self) -> str:
        return "; ".join(p.description for p in self.parts)


def parse_claim(text: str) -> Claim:
    names = [n.strip() for n in text.split("+") if n.strip()]
    unknown = [n for n in names if n not in PARTS]
    if unknown or not names:
        raise ClaimError(f"unknown log claim {unknown[0] if unknown else text!r} (known: {', '.join(PARTS)})")
    return Claim(text, tuple(PARTS[n] for n in names))
