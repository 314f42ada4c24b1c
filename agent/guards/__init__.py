"""Output guards: replies go on air grounded in the product sheets, or not at all.

``GroundingGuard`` checks each sentence's claims against retrieved products; ``Faithful`` checks a model's
rephrasing of one fact; ``echoes`` catches replies that repeat injections.
"""

from agent.guards.claims import Claim, ClaimKind, extract_claims
from agent.guards.grounding import GroundingGuard, GuardResult, Violation
from agent.guards.injection_echo import echoes, find_echo

__all__ = [
    "Claim",
    "ClaimKind",
    "GroundingGuard",
    "GuardResult",
    "Violation",
    "echoes",
    "extract_claims",
    "find_echo",
]
