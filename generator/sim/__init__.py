"""The simulated workload: a deterministic discrete-event model of Toygres on duroxide that
writes the metrics, logs and ground truth dashboards and alerts are checked against.

Public API (no files needed): `run(...)` / `run_options(...)` return a `SimResult` with
`.truth` (list of dicts), `.header`, `.openmetrics()` (text chunks), `.log_lines()`,
`.loki_push()`, `.evaluate()` and `.write(out_dir)`. See docs/simulator.md.
"""

from generator.sim.model import SimResult, Simulation, run, run_options
from generator.sim.options import SimOptions, SimulationError, build_options, parse_duration, parse_end
from generator.sim.scenarios import SCENARIOS, Check, Scenario, evaluate

__all__ = [
    "SCENARIOS", "Check", "Scenario", "SimOptions", "SimResult", "Simulation", "SimulationError",
    "build_options", "evaluate", "parse_duration", "parse_end", "run", "run_options",
]
