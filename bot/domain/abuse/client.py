"""The client address a chat message came from, as the channels pass it to Rasa. Pure.

The channels put the address they determined (the peer, or X-Forwarded-For from a trusted proxy:
bot.domain.staff.client_address) into the message metadata under CLIENT_IP_KEY, where actions read
it (``tracker.latest_message.metadata["client_ip"]``). Whatever the client itself sent under that
key is overwritten: it could be anything.
"""
from __future__ import annotations

from typing import Any, Dict

CLIENT_IP_KEY = "client_ip"


def with_client_ip(metadata: Any, address: str) -> Dict[str, Any]:
    """A copy of the client's metadata (an empty dict when it is not an object) with the address set."""
    trusted = dict(metadata) if isinstance(metadata, dict) else {}
    trusted[CLIENT_IP_KEY] = address
    return trusted
