"""Stage latencies and counters, all measured on the one injected clock."""

from __future__ import annotations

from collections import Counter, defaultdict

from agent.ports import Clock


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100); None for no values."""
    if not values:
        return None
    s = sorted(values)
    k = max(0, min(len(s) - 1, round(q / 100 * (len(s) - 1))))
    return s[k]


class Metrics:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self.samples: dict[str, list[float]] = defaultdict(list)
        self.counters: Counter[str] = Counter()

    def observe(self, stage: str, seconds: float) -> None:
        self.samples[stage].append(seconds)

    def count(self, name: str, n: int = 1) -> None:
        self.counters[name] += n

    def summary_ms(self) -> dict[str, dict[str, float | int | None]]:
        out: dict[str, dict[str, float | int | None]] = {}
        for stage, vals in self.samples.items():
            p50, p95 = percentile(vals, 50), percentile(vals, 95)
            out[stage] = {
                "n": len(vals),
                "p50": None if p50 is None else round(p50 * 1000, 1),
                "p95": None if p95 is None else round(p95 * 1000, 1),
            }
        return out
