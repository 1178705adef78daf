"""A small client of Rasa's HTTP API (rasa/server.py), authenticated with a JWT (HS256).

The staff console uses it to read a conversation, to pause it, to write into the person's chat
widget and to hand the conversation back to the bot; the handoff sweep to give the bot back a
conversation whose queued ticket nobody claimed in time. The Rasa server runs with
``--enable-api --jwt-secret <secret> --jwt-method HS256`` (bot/ops/runner.py); tokens carry
``{"user": {"username": "etown-staff-console", "role": "admin"}}``, the payload Rasa's
``requires_auth`` accepts for every conversation, and expire after a few minutes.

Endpoints (Rasa 3.6):
- GET  /conversations/{id}/tracker?include_events=ALL                       the events
- POST /conversations/{id}/tracker/events                                    append events
      ?output_channel=socketio&execute_side_effects=true                    ...and send BotUttered
      events to the person's socket.io room (the session id: session_persistence is on)
- POST /conversations/{id}/trigger_intent?output_channel=socketio          an external intent: the
      {"name": "EXTERNAL_...", "entities": {}}                               rules answer it there
      (data/rules/handoff.yml; the execute endpoint it replaces is deprecated)
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Dict, List, Optional
from urllib.parse import quote

import httpx
import jwt

from bot.config import Settings
from bot.services.keys import local_secret, local_secret_path

JWT_METHOD = "HS256"
TOKEN_LIFETIME = dt.timedelta(minutes=5)
CONSOLE_USER = "etown-staff-console"
OUTPUT_CHANNEL = "socketio"  # the chat page's widget; see credentials.yml
HANDBACK_INTENT = "EXTERNAL_handback"  # data/rules/handoff.yml: action_handback
EXPIRED_INTENT = "EXTERNAL_handoff_expired"  # data/rules/handoff.yml: action_handoff_expired, the handoff form
STAFF_METADATA = {"from": "staff"}  # marks staff lines among the bot's events (transcripts)
STAFF_LABEL = "Hall staff: "  # the widget shows every message on the bot's side: say who writes
SECRET_FILE = "rasa_jwt.secret"
MIN_SECRET_LENGTH = 32
MESSAGE_MAX = 4000


class RasaUnavailable(Exception):
    """The Rasa server did not answer (down, starting, timed out, or failed with a server error)."""


class RasaRequestRejected(RasaUnavailable):
    """The Rasa server refused the request (wrong secret, unknown conversation, invalid event)."""

    def __init__(self, status: int, detail: str):
        self.status = status
        super().__init__(f"Rasa answered {status}: {detail}")


class InvalidStaffMessage(ValueError):
    """A staff message that is empty or too long."""


class JwtSecretMissing(Exception):
    """Production runs without ETOWN_RASA_JWT_SECRET, or the configured secret is too short."""


def jwt_secret(settings: Settings) -> str:
    """ETOWN_RASA_JWT_SECRET when set; in development a random secret kept in rasa_jwt.secret next to
    the SQLite database (created once, mode 0600), shared by the runner and the web app."""
    if settings.rasa_jwt_secret:
        if len(settings.rasa_jwt_secret) < MIN_SECRET_LENGTH:
            raise JwtSecretMissing(f"ETOWN_RASA_JWT_SECRET must have at least {MIN_SECRET_LENGTH} characters")
        return settings.rasa_jwt_secret
    if settings.env == "production":
        raise JwtSecretMissing("set ETOWN_RASA_JWT_SECRET in production (see .env.example)")
    return local_secret(secret_file_path(settings))


def secret_file_path(settings: Settings) -> Path:
    return local_secret_path(settings, SECRET_FILE)


class RasaConversations:
    """Reads and steers conversations on the Rasa server at ``base_url``."""

    def __init__(self, base_url: str, jwt_secret: str, timeout: float = 5.0):
        self.base_url = base_url.rstrip("/")
        self._secret = jwt_secret
        self.timeout = timeout

    # -- the contract the staff console uses -------------------------------------------------
    def events(self, conversation_id: str) -> List[Dict[str, Any]]:
        """Every event of the conversation (all sessions), oldest first."""
        state = self._request("GET", conversation_id, "tracker", params={"include_events": "ALL"})
        return list(state.get("events") or [])

    def send_staff_message(self, conversation_id: str, text: str) -> None:
        """Show ``text`` in the person's chat widget now (after "Hall staff: "), and keep it in the
        conversation as a line from staff (a BotUttered event with metadata {"from": "staff"})."""
        text = (text or "").replace("\x00", "").strip()
        if not text:
            raise InvalidStaffMessage("the message is empty")
        if len(text) > MESSAGE_MAX:
            raise InvalidStaffMessage(f"the message is longer than {MESSAGE_MAX} characters")
        event = {"event": "bot", "text": STAFF_LABEL + text, "metadata": dict(STAFF_METADATA),
                 "timestamp": dt.datetime.now(dt.timezone.utc).timestamp()}
        self._request("POST", conversation_id, "tracker/events", json=[event],
                      params={"output_channel": OUTPUT_CHANNEL, "execute_side_effects": "true"})

    def pause(self, conversation_id: str) -> None:
        """ConversationPaused: Rasa logs the person's messages but predicts nothing until resumed."""
        self._request("POST", conversation_id, "tracker/events", json=[{"event": "pause"}])

    def hand_back(self, conversation_id: str) -> None:
        """ConversationResumed, then EXTERNAL_handback on the person's channel: the bot greets the
        person back with the context and answers the next message itself."""
        self._resume_and_trigger(conversation_id, HANDBACK_INTENT)

    def expire_handoff(self, conversation_id: str) -> None:
        """ConversationResumed, then EXTERNAL_handoff_expired on the person's channel: the bot says no
        one was free and offers to take the question and a contact."""
        self._resume_and_trigger(conversation_id, EXPIRED_INTENT)

    def _resume_and_trigger(self, conversation_id: str, intent: str) -> None:
        # Resume first: Rasa runs no action for a trigger_intent on a paused conversation
        # (MessageProcessor._should_handle_message), and would keep the intent unanswered. The pause
        # ended the turn without the action_listen a finished turn records; without it the rules see
        # "after action_start_handoff" instead of the external intent, and only listen. A retry after a
        # failed trigger resumes and listens again, which changes nothing.
        self._request("POST", conversation_id, "tracker/events",
                      json=[{"event": "resume"}, {"event": "action", "name": "action_listen"}])
        self._request("POST", conversation_id, "trigger_intent", json={"name": intent, "entities": {}},
                      params={"output_channel": OUTPUT_CHANNEL})

    # -- plumbing -----------------------------------------------------------------------------
    def token(self, now: Optional[dt.datetime] = None) -> str:
        now = now or dt.datetime.now(dt.timezone.utc)
        payload = {"user": {"username": CONSOLE_USER, "role": "admin"}, "iat": int(now.timestamp()),
                   "exp": int((now + TOKEN_LIFETIME).timestamp())}
        return jwt.encode(payload, self._secret, algorithm=JWT_METHOD)

    def _request(self, method: str, conversation_id: str, path: str, **kwargs) -> Dict[str, Any]:
        if not conversation_id or len(conversation_id) > 255:
            raise RasaRequestRejected(400, "conversation id must have 1 to 255 characters")
        url = f"{self.base_url}/conversations/{quote(conversation_id, safe='')}/{path}"
        headers = {"Authorization": f"Bearer {self.token()}"}
        try:
            response = httpx.request(method, url, headers=headers, timeout=self.timeout, **kwargs)
        except httpx.HTTPError as exc:
            raise RasaUnavailable(f"Rasa at {self.base_url} did not answer ({type(exc).__name__})") from None
        if response.status_code >= 500:
            raise RasaUnavailable(f"Rasa at {self.base_url} failed with {response.status_code}")
        if response.status_code >= 400:
            raise RasaRequestRejected(response.status_code, _detail(response))
        try:
            return response.json()
        except ValueError:
            raise RasaUnavailable("Rasa answered with something that is not JSON") from None


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
        return str(body.get("message") or body.get("reason") or "")[:200]
    except ValueError:
        return response.text[:200]


def rasa_conversations(settings: Settings) -> RasaConversations:
    """The client for the Rasa server named by ``settings``."""
    return RasaConversations(settings.resolved_rasa_api_url, jwt_secret(settings), settings.rasa_api_timeout)
