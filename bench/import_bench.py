"""Import benchmark: `dashgen import` of a 300-panel dashboard (goal <= 2 s), modern and
legacy (rows layout, graph/singlestat), built from the public dashboards in tests/data."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from generator.config import load  # noqa: E402
from generator.importer.command import import_file  # noqa: E402
from generator.importer.querymatch import Matcher  # noqa: E402

DATA = ROOT / "tests" / "data" / "dashboards"
PANELS = 300
REPEATS = 3


def modern(count: int = PANELS) -> dict[str, Any]:
    """node-exporter-full's panels (collapsed rows opened) repeated to `count` non-row panels."""
    source = json.loads((DATA / "rfmoz--grafana-dashboards--node-exporter-full.json").read_text())
    flat = []
    for panel in source["panels"]:
        flat.append({k: v for k, v in panel.items() if k != "panels"} | ({"panels": []} if panel["type"] == "row" else {}))
        flat.extend(panel.get("panels") or [])
    panels, n, y = [], 0, 0
    while n < count:
        for panel in flat:
            if n >= count:
                break
            item = copy.deepcopy(panel)
            item["id"] = len(panels) + 1
            item["title"] = f"{item.get('title', '')} #{len(panels)}"
            item["gridPos"] = {**item.get("gridPos", {}), "y": y}
            y += 1
            if item["type"] == "row":
                item["collapsed"] = False
            else:
                n += 1
            panels.append(item)
    return {**source, "uid": "bench-modern", "panels": panels}


def legacy(count: int = PANELS) -> dict[str, Any]:
    """node-exporter-full-old's rows (schemaVersion 14) repeated to `count` panels."""
    source = json.loads((DATA / "rfmoz--grafana-dashboards--node-exporter-full-old.json").read_text())
    rows, n = [], 0
    while n < count:
        for row in source["rows"]:
            take = row["panels"][: count - n]
            if not take:
                break
            rows.append({**copy.deepcopy(row), "title": f"{row.get('title', '')} {len(rows)}", "panels": copy.deepcopy(take)})
            n += len(take)
    return {**source, "uid": "bench-legacy", "rows": rows}


def _best(path: Path, verify: bool) -> tuple[float, float]:
    """Best wall and best CPU seconds of REPEATS imports (CPU time is the fairer figure on a
    machine shared with other work: it leaves out time spent waiting for a core)."""
    config = load("local")
    walls, cpus = [], []
    for _ in range(REPEATS):
        started, cpu = time.perf_counter(), time.process_time()
        import_file(path, config, Matcher(config), set(), verify=verify)
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


def run() -> dict[str, Any]:
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, build in (("modern", modern), ("legacy", legacy)):
            path = Path(tmp) / f"{name}.json"
            path.write_text(json.dumps(build()))
            started = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "generator", "import", str(path), "--out",
                                   str(Path(tmp) / "out"), "--no-check"], cwd=ROOT, capture_output=True, text=True)
            wall = time.perf_counter() - started
            if done.returncode != 0:
                raise RuntimeError(done.stderr)
            results[name] = {"in_process": _best(path, True), "without_self_check": _best(path, False),
                             "cli_wall": wall}
    return results


def report(results: dict[str, Any]) -> str:
    lines = [f"import: {PANELS}-panel dashboard (goal <= 2 s), best of {REPEATS}, warm:"]
    for name, r in results.items():
        (wall, cpu), (gen_wall, gen_cpu) = r["in_process"], r["without_self_check"]
        lines.append(f"  {name:7} import incl. self-check {wall:.2f}s wall / {cpu:.2f}s CPU "
                     f"(generation alone {gen_wall:.2f}s / {gen_cpu:.2f}s CPU); "
                     f"`dashgen import --no-check` {r['cli_wall']:.2f}s wall incl. interpreter start and lint review")
    return "\n".join(lines)


if __name__ == "__main__":
    print(report(run()))
