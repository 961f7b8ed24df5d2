"""One grammar for a simulated scenario: which faults, held how long, in which era.

Text form (CLI `--scenario`, alert `fires_in`, report keys), comma-separated, faults first:

    healthy                          the healthy workload
    database-slow+burst              faults composed with "+"
    database-down,hold=150m          the fault held 150 minutes (default: the scenario's own)
    healthy,era=E1                   run in the other era (default: the configured era)

`str(spec)` is the canonical text; `ScenarioSpec.parse(str(spec)) == spec`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from generator.errors import DashgenError
from generator.parsers import literals

ERAS = ("E1", "E2")
KEYS = ("hold", "era")


class ScenarioSpecError(DashgenError):
    """A scenario spec names an unknown scenario, key or era, or has a bad duration."""


def _known() -> tuple[str, ...]:
    from generator.sim.scenarios import SCENARIOS  # lazy: definitions import this module

    return tuple(SCENARIOS)


def _seconds(text: str) -> int:
    try:
        seconds = literals.parse_duration(text.strip())
    except ValueError:
        seconds = 0.0
    if seconds <= 0 or seconds != int(seconds):
        raise ScenarioSpecError(f"hold={text!r} is not a duration like 150m or 2h")
    return int(seconds)


def _format(seconds: int) -> str:
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return "".join(f"{v}{u}" for v, u in ((h, "h"), (m, "m"), (s, "s")) if v) or "0s"


@dataclass(frozen=True, order=True)
class ScenarioSpec:
    """Faults composed in one simulated window, optionally held longer, optionally in an era."""

    faults: tuple[str, ...] = ("healthy",)
    hold_seconds: int | None = None
    era: str | None = None

    @classmethod
    def parse(cls, text: str) -> "ScenarioSpec":
        """The spec a text names; one clear error naming the text when it is not one."""
        head, *options = [part.strip() for part in str(text).split(",")]
        values: dict[str, str] = {}
        for option in options:
            key, eq, value = option.partition("=")
            if not eq or key not in KEYS or key in values:
                raise ScenarioSpecError(f"scenario {text!r}: {option!r} is not one of "
                                        f"{', '.join(k + '=...' for k in KEYS)} (given once)")
            values[key] = value
        try:
            hold = _seconds(values["hold"]) if "hold" in values else None
        except ScenarioSpecError as exc:
            raise ScenarioSpecError(f"scenario {text!r}: {exc}") from None
        return cls(tuple(head.split("+")), hold, values.get("era")).validated(str(text))

    def validated(self, text: str = "") -> "ScenarioSpec":
        known = _known()
        where = f"scenario {text or str(self)!r}"
        unknown = [f for f in self.faults if f not in known]
        if unknown:
            raise ScenarioSpecError(f"{where}: unknown scenario {unknown[0]!r} (known: {', '.join(known)})")
        if self.era is not None and self.era not in ERAS:
            raise ScenarioSpecError(f"{where}: era must be one of {', '.join(ERAS)}, got {self.era!r}")
        if self.hold_seconds is not None and self.hold_seconds <= 0:
            raise ScenarioSpecError(f"{where}: hold must be positive")
        return self

    @property
    def name(self) -> str:
        """The composed fault names ("database-slow+burst")."""
        return "+".join(self.faults)

    @property
    def healthy(self) -> bool:
        return all(f == "healthy" for f in self.faults)

    def __str__(self) -> str:
        parts = [self.name]
        if self.hold_seconds is not None:
            parts.append(f"hold={_format(self.hold_seconds)}")
        if self.era is not None:
            parts.append(f"era={self.era}")
        return ",".join(parts)

    def label(self, default_era: str) -> str:
        """The text with the era left out when it is the default (report keys)."""
        return str(dataclasses.replace(self, era=None) if self.era == default_era else self)

    def in_era(self, era: str) -> "ScenarioSpec":
        return dataclasses.replace(self, era=era)


def scenario(*faults: str, hold: str | None = None, era: str | None = None) -> ScenarioSpec:
    """A spec for definitions: `scenario("database-down", hold="150m")`."""
    return ScenarioSpec(tuple(faults) or ("healthy",), _seconds(hold) if hold else None, era).validated()


def as_spec(value: "ScenarioSpec | str") -> ScenarioSpec:
    return value if isinstance(value, ScenarioSpec) else ScenarioSpec.parse(value)
