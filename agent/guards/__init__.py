"""Output guards: replies go on air grounded in the product sheets, or not at all.

``GroundingGuard`` checks each sentence's claims against retrieved products; ``compose_*`` build safe replies
straight from the sheet; ``sentences`` cuts the LLM stream; ``echoes`` catches replies that repeat injections.
"""

from agent.guards.claims import Claim, ClaimKind, extract_claims
from agent.guards.compose import Intent, compose_fact_reply, compose_holding, compose_refusal, detect_intent
from agent.guards.grounding import GroundingGuard, GuardResult, Violation
from agent.guards.injection_echo import echoes, find_echo
from agent.guards.sentences import sentences, split_sentences

__all__ = [
    "Claim",
    "ClaimKind",
    "GroundingGuard",
    "GuardResult",
    "Intent",
    "Violation",
    "compose_fact_reply",
    "compose_holding",
    "compose_refusal",
    "detect_intent",
    "echoes",
    "extract_claims",
    "find_echo",
    "sentences",
    "split_sentences",
]
