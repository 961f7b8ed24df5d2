"""The one simulate -> backfill -> serve pipeline, its scenario-spec grammar and its timings."""

from generator.pipeline.cache import Cache
from generator.pipeline.openmetrics import families_for, write_openmetrics
from generator.pipeline.served import (END_TS, GAP_SECONDS, Dataset, ScenarioRun, Served, served, simulate,
                                       staggered)
from generator.pipeline.spec import ScenarioSpec, ScenarioSpecError, as_spec, scenario
from generator.pipeline.timings import Timings

__all__ = [
    "END_TS", "GAP_SECONDS", "Cache", "Dataset", "ScenarioRun", "ScenarioSpec", "ScenarioSpecError", "Served", "Timings",
    "as_spec", "families_for", "scenario", "served", "simulate", "staggered", "write_openmetrics",
]
