"""A stand-in for bot.integrations.rasa_api.RasaConversations at the boundary: records what the
console asked Rasa to do, serves tracker events, and can be 'down' (raising RasaUnavailable)."""
from __future__ import annotations

import datetime as dt
from typing import Dict, List, Tuple

from bot.services.staff_auth import StaffMember, add_staff, log_in


class RecordingConversations:
    def __init__(self):
        self.calls: List[Tuple[str, ...]] = []
        self.tracker_events: Dict[str, List[dict]] = {}
        self.down = False

    def _call(self, *call: str) -> None:
        from bot.integrations.rasa_api import RasaUnavailable

        if self.down:
            raise RasaUnavailable("the Rasa server did not answer (test)")
        self.calls.append(call)

    def events(self, conversation_id: str) -> List[dict]:
        self._call("events", conversation_id)
        return list(self.tracker_events.get(conversation_id, []))

    def send_staff_message(self, conversation_id: str, text: str) -> None:
        self._call("send_staff_message", conversation_id, text)

    def pause(self, conversation_id: str) -> None:
        self._call("pause", conversation_id)

    def hand_back(self, conversation_id: str) -> None:
        self._call("hand_back", conversation_id)

    def expire_handoff(self, conversation_id: str) -> None:
        self._call("expire_handoff", conversation_id)

    def user_says(self, conversation_id: str, text: str, timestamp: float) -> None:
        self.tracker_events.setdefault(conversation_id, []).append(
            {"event": "user", "text": text, "timestamp": timestamp, "parse_data": {"text": text, "entities": []}})

    def sent(self) -> List[Tuple[str, ...]]:
        return [c for c in self.calls if c[0] != "events"]


MONDAY_10 = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.timezone.utc)  # 10:00 in Beijing, a working day


def member(uow_factory, name, role="staff") -> StaffMember:
    """A staff account, logged in on MONDAY_10."""
    add_staff(uow_factory(), name, f"{name} has a long password", role, MONDAY_10)
    return log_in(uow_factory(), name, f"{name} has a long password", MONDAY_10).member
