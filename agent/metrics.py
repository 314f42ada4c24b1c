"""Stage latencies and counters, all measured on the one injected clock, and the same figures as Prometheus
families on a registry of this instance's own (``/metrics`` serves it; two shows never share a figure).

``samples`` keeps the most recent ``keep`` latencies of each stage (a 24-hour show stays in bounded memory);
the ``livehost_stage_seconds`` histogram counts every one. Label values are bounded too: past
``MAX_LABEL_VALUES`` distinct values a family counts the rest as ``other``.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Collection, Iterable, Mapping
from functools import partial

from prometheus_client import CollectorRegistry, Gauge, Histogram
from prometheus_client import Counter as PromCounter
from prometheus_client.core import CounterMetricFamily, Metric

from agent.ports import Clock, LinkWatch
from agent.verdict import Verdict

KEEP = 10_000  # recent samples kept per stage for percentiles
MAX_LABEL_VALUES = 64
# 1 ms .. 30 s: triage and retrieval at the low end, comment-to-first-audio at the high end
STAGE_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 15.0, 30.0)


def percentile(values: Collection[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100); None for no values."""
    if not values:
        return None
    s = sorted(values)
    k = max(0, min(len(s) - 1, round(q / 100 * (len(s) - 1))))
    return s[k]


def reason_code(reason: str) -> str:
    """A free-text reason as a short label: 'material not on the sheet: silk' -> 'material_not_on_the_sheet'."""
    head = re.split(r"[:(]", reason, maxsplit=1)[0].lower()
    return re.sub(r"[^a-z0-9]+", "_", head).strip("_")[:40] or "unknown"


class _Callback:
    """A counter family read at scrape time from a mapping the pipeline keeps anyway (drops by reason)."""

    def __init__(self, name: str, doc: str, label: str, read: Callable[[], Mapping[str, int]]) -> None:
        self._name, self._doc, self._label, self._read = name, doc, label, read

    def describe(self) -> Iterable[Metric]:
        return [CounterMetricFamily(self._name, self._doc, labels=[self._label])]

    def collect(self) -> Iterable[Metric]:
        family = CounterMetricFamily(self._name, self._doc, labels=[self._label])
        for key, value in sorted(self._read().items()):
            family.add_metric([str(key)], float(value))
        return [family]


class _Link:
    """A platform connection's ups and downs as metrics (see :class:`agent.ports.LinkWatch`)."""

    def __init__(self, metrics: Metrics, platform: str) -> None:
        self._metrics, self._platform = metrics, platform

    def up(self) -> None:
        self._metrics.connected(self._platform, True)

    def down(self, error: str) -> None:
        self._metrics.connected(self._platform, False)
        self._metrics.reconnect(self._platform)


class Metrics:
    def __init__(self, clock: Clock, keep: int = KEEP) -> None:
        self._clock = clock
        self.samples: defaultdict[str, deque[float]] = defaultdict(partial(deque, maxlen=keep))
        self.counters: Counter[str] = Counter()
        self.registry = r = CollectorRegistry()
        self._seen: dict[str, set[str]] = defaultdict(set)
        self._callbacks: dict[str, _Callback] = {}
        self._kids: dict[tuple[str, tuple[str, ...]], PromCounter] = {}  # labelled children, looked up once

        def counter(name: str, doc: str, *labels: str) -> PromCounter:
            return PromCounter(f"livehost_{name}", doc, labels, registry=r)

        self._comments = counter("comments", "Viewer comments received", "platform")
        self._verdicts = counter("verdicts", "Triage verdicts", "action", "category")
        self._replies = counter("replies", "Replies written in full, by whose words were said", "source")
        self._utterances = counter("utterances", "Utterances that started playing", "kind")
        self._cut = counter("utterances_cut", "Utterances cut before their end (pause, skip, stop)", "kind")
        self._guard = counter("guard_rejections", "Sentences the guards kept off the air", "reason")
        self._reconnects = counter("reconnects", "Platform connections lost or refused, then retried", "platform")
        self._llm_errors = counter("llm_errors", "LLM requests that failed or timed out", "kind")
        self._speech_errors = counter("speech_errors", "Speech syntheses that failed", "engine")
        self._events = counter("events", "Other pipeline events (screen blocks, unsafe names...)", "name")
        self._stages = Histogram("livehost_stage_seconds", "Stage latencies", ["stage"], registry=r,
                                 buckets=STAGE_BUCKETS)
        self._depth = Gauge("livehost_queue_depth", "Items waiting, read at scrape time", ["queue"], registry=r)
        self._connected = Gauge("livehost_platform_connected", "1 while a platform is connected", ["platform"],
                                registry=r)

    # -- the API every stage had (samples and free-form counters) ------------------------------------------
    def observe(self, stage: str, seconds: float) -> None:
        self.samples[stage].append(seconds)
        self._stages.labels(self._bounded("stage", stage)).observe(max(0.0, seconds))

    def count(self, name: str, n: int = 1) -> None:
        self.counters[name] += n
        self._events.labels(self._bounded("event", name)).inc(n)

    def summary_ms(self) -> dict[str, dict[str, float | int | None]]:
        """p50/p95 of the recent samples of each stage (``n``: how many of them)."""
        out: dict[str, dict[str, float | int | None]] = {}
        for stage, vals in self.samples.items():
            p50, p95 = percentile(vals, 50), percentile(vals, 95)
            out[stage] = {
                "n": len(vals),
                "p50": None if p50 is None else round(p50 * 1000, 1),
                "p95": None if p95 is None else round(p95 * 1000, 1),
            }
        return out

    # -- typed events -------------------------------------------------------------------------------------------
    def comment(self, platform: str) -> None:
        self._child(self._comments, "platform", platform).inc()

    def verdict(self, verdict: Verdict) -> None:
        """One triage decision (and the comment behind it, counted by platform)."""
        if verdict.event.kind.value == "comment":
            self.comment(verdict.event.platform)
        self.counters[f"triage.{verdict.action.value}"] += 1
        self._child(self._verdicts, "verdicts", verdict.action.value, verdict.category.value).inc()

    def reply(self, source: str) -> None:
        self._replies.labels(self._bounded("source", source or "unknown")).inc()

    def said(self, kind: str, cut: bool = False) -> None:
        """An utterance that started playing; ``cut``: it did not play to its end."""
        self._child(self._utterances, "utterances", kind).inc()
        if cut:
            self.cut(kind)

    def cut(self, kind: str) -> None:
        self._cut.labels(kind).inc()

    def guard_rejected(self, reason: str) -> None:
        self.counters["guard_rejected"] += 1
        self._guard.labels(self._bounded("reason", reason_code(reason))).inc()

    def reconnect(self, platform: str) -> None:
        self._reconnects.labels(self._bounded("platform", platform)).inc()

    def connected(self, platform: str, up: bool) -> None:
        self._connected.labels(self._bounded("platform", platform)).set(1.0 if up else 0.0)

    def link(self, platform: str) -> LinkWatch:
        """A watch for a platform connection: ``up`` sets ``livehost_platform_connected``, ``down`` counts a
        reconnect."""
        self.connected(platform, False)
        return _Link(self, platform)

    def llm_error(self, kind: str) -> None:
        self._llm_errors.labels(self._bounded("llm", kind)).inc()

    def speech_error(self, engine: str) -> None:
        self._speech_errors.labels(self._bounded("engine", engine)).inc()

    # -- read at scrape time ------------------------------------------------------------------------------------
    def depth(self, queue: str, read: Callable[[], int]) -> None:
        """``livehost_queue_depth{queue}`` is ``read()`` at each scrape (NaN when it fails)."""
        self._depth.labels(queue).set_function(partial(_safely, read))

    def depths(self, **reads: Callable[[], int]) -> None:
        for queue, read in reads.items():
            self.depth(queue, read)

    def counted(self, name: str, doc: str, label: str, read: Callable[[], Mapping[str, int]]) -> None:
        """A counter family ``livehost_{name}_total{label}`` read at scrape time from ``read()``."""
        old = self._callbacks.pop(name, None)
        if old is not None:
            self.registry.unregister(old)
        self._callbacks[name] = cb = _Callback(f"livehost_{name}", doc, label, read)
        self.registry.register(cb)

    def drops(self, read: Callable[[], Mapping[str, int]]) -> None:
        self.counted("drops", "Questions and replies dropped unsaid, by reason", "reason", read)

    def _child(self, metric: PromCounter, family: str, *values: str) -> PromCounter:
        """``metric.labels(*values)``, remembered (a lookup costs ~3 us; every event passes here twice). Label
        values are bounded per family as everywhere (MAX_LABEL_VALUES, then "other"), and so is this cache."""
        key = (family, values)
        kid = self._kids.get(key)
        if kid is None:
            kid = metric.labels(*(self._bounded(family, v) for v in values))
            if len(self._kids) < 4 * MAX_LABEL_VALUES:
                self._kids[key] = kid
        return kid

    def _bounded(self, family: str, value: str) -> str:
        seen = self._seen[family]
        if value in seen:
            return value
        if len(seen) >= MAX_LABEL_VALUES:
            return "other"
        seen.add(value)
        return value


def _safely(read: Callable[[], int]) -> float:
    try:
        return float(read())
    except Exception:  # noqa: BLE001 - a scrape must not fail on one figure
        return math.nan
