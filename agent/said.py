"""What was said, and why: each timeline entry the director closes, joined with the reply's own account.

The show notes, per reply, the question's plan and the writer's outcome (the sheet fact it rests on, the
sentences the guards stopped and why, timings) and the moderator's decision in approval mode; when the
director has played the utterance, the entry goes to the on-air record (:class:`agent.ports.OnAirLog`) with
what was actually heard. Script lines, thanks and bridges are recorded too, with their kind.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from agent.director.director import TimelineEntry
from agent.ports import OnAirLog
from agent.product import Product
from agent.reply.writer import ReplyOutcome, ReplyPlan

log = logging.getLogger(__name__)

MAX_NOTES = 256  # replies prepared but not yet played (dropped ones are forgotten oldest first)


class SaidLog:
    """Joins the director's timeline with reply notes and writes each entry to ``record`` (or nowhere)."""

    def __init__(self, record: OnAirLog | None, products: Callable[[str], Product | None] | None = None) -> None:
        self._record = record
        self._products = products
        self._notes: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self.failed = 0

    def reply(self, utterance_id: str, plan: ReplyPlan | None, outcome: ReplyOutcome | None,
              approval: dict[str, Any] | None = None) -> None:
        """Note what a reply rests on; read when it has been said."""
        self._notes[utterance_id] = {"plan": plan, "outcome": outcome, "approval": approval}
        while len(self._notes) > MAX_NOTES:
            self._notes.popitem(last=False)

    def said(self, entry: TimelineEntry) -> None:
        """The director's observer: one entry played (or cut) on air."""
        note = self._notes.pop(entry.utterance_id, None)
        if self._record is None:
            return
        try:
            self._record.add(self.entry(entry, note))
        except Exception as exc:  # noqa: BLE001 - the record must never stop the show; counted and logged
            self.failed += 1
            log.warning("on-air record write failed", extra={"error": repr(exc), "utterance": entry.utterance_id})

    def _title(self, product_id: str | None) -> str | None:
        product = self._products(product_id) if product_id and self._products is not None else None
        return None if product is None else product.title

    @staticmethod
    def facts(plan: ReplyPlan | None, out: ReplyOutcome) -> list[str]:
        """The sheet facts a reply rests on: the fact found, or the fields a structured answer used."""
        return [out.fact] if out.fact else sheet_fields(plan, out.attribute)

    def entry(self, entry: TimelineEntry, note: dict[str, Any] | None) -> dict[str, Any]:
        d: dict[str, Any] = {
            "utterance_id": entry.utterance_id,
            "start": round(entry.start, 3),
            "end": round(entry.end, 3),
            "kind": entry.kind,
            "text": entry.text,
            "comment": entry.comment,
            "comments": list(entry.comments),
            "product_id": entry.product,
            "product_title": self._title(entry.product),
            "interrupted": entry.interrupted,
        }
        if entry.latency is not None:
            d["latency_ms"] = round(entry.latency * 1000, 1)
        if note is None:
            return d
        plan: ReplyPlan | None = note["plan"]
        out: ReplyOutcome | None = note["outcome"]
        if plan is not None:
            d["language"] = plan.language
            d["decision"] = plan.decision
            if plan.product is not None:
                d["product_id"], d["product_title"] = plan.product.id, plan.product.title
        if out is not None:
            d["source"] = out.source
            d["attribute"] = out.attribute
            d["facts"] = self.facts(plan, out)
            d["rejected"] = [list(r) for r in out.rejected]
            if out.fallback:
                d["fallback"] = out.fallback  # the LLM failed: the template was said
            d["timings"] = {k: round(v, 3) for k, v in out.timings.items()}
        if note["approval"] is not None:
            d["approval"] = note["approval"]
        return d


def sheet_fields(plan: ReplyPlan | None, attribute: str) -> list[str]:
    """The sheet's fields a structured answer (price, stock, variants) was built from."""
    product: Product | None = plan.product if plan is not None else None
    if product is None or attribute not in ("price", "stock", "variants"):
        return []
    out = [f"price: {product.price} {product.currency}"] if product.price is not None else []
    if product.stock is not None:
        out.append(f"stock: {product.stock}")
    for v in product.variants[:12]:
        out.append(f"variant {v.name}: price {v.price}, stock {v.stock}")
    return out
