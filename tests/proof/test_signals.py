"""Ground-truth signals: when a burn rate truly crosses its threshold, when a message is first
poisoned, computed from synthetic truth samples."""

from __future__ import annotations

from typing import Any

import pytest

from generator.proof.signals import SIGNALS
from generator.config import Config

CONFIG = Config()
STEP = 15


def truth(failed_from: int | None, minutes: int = 240, per_minute: int = 1,
          poison_at: int | None = None) -> list[dict[str, Any]]:
    """One completion a minute (success, or failed after `failed_from` minutes)."""
    samples, good, bad = [], 0, 0
    for i in range(minutes * 60 // STEP + 1):
        t = i * STEP
        if t % 60 == 0 and t:
            if failed_from is not None and t >= failed_from * 60:
                bad += per_minute
            else:
                good += per_minute
        poisoned = 1 if poison_at is not None and t >= poison_at * 60 else 0
        samples.append({"ts": t, "orchestrations": {"x": {"success": good, "failed": bad}},
                        "poisoned": {"orchestration": poisoned, "activity": 0}})
    return samples


@pytest.mark.parametrize("signal,samples,fault,expected_minute", [
    # 72 % of the last hour failed: 44 of 60 one-a-minute completions, 43-44 minutes in.
    pytest.param("slo-fast-burn", truth(60), 3600, (60 + 43, 60 + 44), id="fast-burn-total-outage-after-1h"),
    pytest.param("slo-fast-burn", truth(None), 3600, None, id="fast-burn-healthy"),
    # 30 % of the last 6 hours: 109 of 360, 108-109 minutes into a total outage.
    pytest.param("slo-slow-burn", truth(360, minutes=720), 6 * 3600, (360 + 108, 360 + 109),
                 id="slow-burn-after-6h-of-history"),
    pytest.param("first-poison", truth(None, poison_at=100), 3600, (100, 100), id="first-poison"),
    pytest.param("first-poison", truth(None), 3600, None, id="no-poison"),
])
def test_signal_onset(signal: str, samples: list[dict[str, Any]], fault: float,
                      expected_minute: tuple[int, int] | None) -> None:
    onset = SIGNALS[signal](samples, fault, STEP, CONFIG)
    if expected_minute is None:
        assert onset is None
    else:
        assert onset is not None and expected_minute[0] * 60 <= onset <= expected_minute[1] * 60
