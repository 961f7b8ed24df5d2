"""`make bench`: every performance figure the issues ask for, printed (never asserted)."""

from __future__ import annotations

import sys

from bench import alerts_bench, check_bench, compile_bench, deploy_bench, goals, import_bench, review_bench


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    sections = args or ["goals", "mutations", "compile", "deploy", "import", "review"]
    if "goals" in sections:  # issue 14's ratios, each measured in this run (includes the cold check)
        print(goals.report(goals.run("--tests" in sys.argv)), flush=True)
    if "mutations" in sections:  # issue 11: planted lies that check must report as errors
        score = check_bench.mutation_score()
        print(f"check mutation score (seed 7): {score['caught']}/{score['mutations']} planted lies reported as errors"
              + (f"; MISSED: {', '.join(score['missed'])}" if score["missed"] else ""), flush=True)
    if "compile" in sections:
        print(compile_bench.report(compile_bench.run()), flush=True)
    if "deploy" in sections:
        deploy_bench._print(deploy_bench.run())
        sys.stdout.flush()
    if "import" in sections:
        print(import_bench.report(import_bench.run()), flush=True)
    if "check" in sections:
        print(check_bench.report(check_bench.run()), flush=True)
    if "review" in sections:  # the semantic diff at scale, and previews vs check
        print(review_bench.report(review_bench.run_diff(), review_bench.run_preview()), flush=True)
    if "alerts" in sections:  # ~2 minutes: `python -m bench alerts` (or `make alerts-report`)
        print(alerts_bench.report(alerts_bench.run()), flush=True)


main()
