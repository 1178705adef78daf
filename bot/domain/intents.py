"""Human words for intents, used when the bot offers what it thinks was meant."""
from __future__ import annotations

from typing import Dict, List, Sequence

INTENT_LABELS: Dict[str, str] = {
    "ask_materials": "Which documents I need",
    "ask_processing_time": "How long it takes",
    "ask_fees": "What it costs",
    "ask_validity": "How long a permit is valid",
    "ask_deadlines": "Deadlines to apply, renew or cancel",
    "ask_eligibility": "Who can apply (categories A/B/C)",
    "ask_where": "Where to apply, addresses and hours",
    "ask_service_overview": "How a permit works, step by step",
    "ask_joint_application": "The two-permit joint application",
    "ask_apostille": "Apostille or legalisation of documents",
    "ask_health_check": "The health check",
    "ask_accommodation_registration": "Accommodation (temporary residence) registration",
    "ask_hotline": "Hotlines and contacts",
    "request_human": "Talk to a person",
    "help": "What you can ask me",
}


def suggestions(ranking: Sequence[Dict], limit: int = 3, min_confidence: float = 0.05) -> List[str]:
    """The likeliest intents from an NLU ranking that have a human label, best first."""
    picked: List[str] = []
    for item in ranking:
        name = item.get("name")
        if name in INTENT_LABELS and (item.get("confidence") or 0) >= min_confidence and name not in picked:
            picked.append(name)
        if len(picked) == limit:
            break
    return picked
