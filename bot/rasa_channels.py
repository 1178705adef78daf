"""The REST input channel of the Rasa server: Rasa's RestInput that never answers with silence.

Configured in credentials.yml as ``bot.rasa_channels.RestInput`` (URL unchanged:
/webhooks/rest/webhook). Rasa's own channel returns whatever was collected when handling fails,
often ``[]``, and logs the message text. This one:

- answers HTTP 503 with a "temporarily unavailable" bot message (and Retry-After) when the message
  could not be handled, e.g. Redis (lock store) is down, or when the conversation could not be read
  or written (PostgreSQL, the tracker store, is down: Rasa's FailSafeTrackerStore hides that error,
  bot/rasa_tracker_store.py notes it). The turn was not stored, so any reply is dropped (it was
  computed without the conversation): the user is asked to send the message again;
- answers an apology and a suggestion when the turn produced no reply at all (the action server
  is down: Rasa logs the failed action and carries on without its events);
- refuses a malformed request (no JSON, no sender, sender too long to store, a message that is not
  valid text) with HTTP 400, and answers an over-long message politely without parsing or storing it
  (bot/domain/inbound.py); a body over MAX_REQUEST_BYTES is refused unread with HTTP 413;
- accepts only a body sent as application/json (HTTP 415 otherwise): a browser sends a cross-site
  text/plain or form post without asking, but not a JSON one, so no other website can post
  messages from its visitors' browsers;
- answers HTTP 429 (Retry-After, a polite bot message) to a client address or sender over its rate
  limit (bot/rasa/rate_limits.py), and passes the client address to Rasa as the metadata's
  "client_ip", overwriting whatever the client sent there;
- never logs the message text.
"""
from __future__ import annotations

import logging
import os
from asyncio import CancelledError
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint, response
from sanic.exceptions import PayloadTooLarge
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.domain.abuse.client import with_client_ip
from bot.domain.abuse.rate_limits import too_fast_reply
from bot.domain.inbound import MAX_REQUEST_BYTES, Refusal, refusal, too_long_reply
from bot.domain.outage import english_hotline, no_answer_text, unavailable_text
from bot import rasa_speedups
from bot.kb.contacts_schema import Hotline
from bot.rasa.rate_limits import ChatGate, process_gate
from bot.rasa_tracker_store import store_failures

logger = logging.getLogger(__name__)
MAX_SENDER_LENGTH = 255  # the tracker store's sender_id column
RETRY_AFTER_SECONDS = 30


def _kb_hotline() -> Optional[Hotline]:
    """The English-speaking hotline of policies_kb/contacts.yml (None if it cannot be read)."""
    from bot.kb.contacts_schema import Contacts
    from bot.kb.loader import parse_model, read_yaml

    kb_dir = Path(os.environ.get("ETOWN_KB_DIR", "policies_kb"))
    try:
        contacts = parse_model(Contacts, read_yaml(kb_dir / "contacts.yml", "contacts.yml"), "contacts.yml")
    except Exception as exc:  # noqa: BLE001 - the channel must start; the message then names no number
        logger.warning("REST channel: no hotline for outage messages (%s)", type(exc).__name__)
        return None
    return english_hotline(contacts.hotlines)


def _reason(exc: BaseException) -> str:
    """The exception's kind and first line, without SQL statements or their parameters (they hold user text)."""
    cause = getattr(exc, "orig", None) or exc
    first = (str(cause).strip().splitlines() or [""])[0][:200]
    return f"{type(exc).__name__}: {first}"


async def cap_request_size(app: Any, loop: Any) -> None:
    """Every request to this Rasa server (webhook, socket.io, HTTP API) is refused unread, with HTTP 413
    and a polite answer, above MAX_REQUEST_BYTES (Sanic's default is 100 MB); websocket frames likewise."""
    app.config.REQUEST_MAX_SIZE = MAX_REQUEST_BYTES
    app.config.WEBSOCKET_MAX_SIZE = MAX_REQUEST_BYTES

    def too_large(request: Request, exception: Exception) -> HTTPResponse:
        return response.json([{"text": too_long_reply("")}], status=413)

    app.error_handler.add(PayloadTooLarge, too_large)


class RestInput(RasaRestInput):
    """Rasa's REST channel (same name and URL) with clear answers instead of silence."""

    def __init__(self, hotline: Optional[Hotline] = None, gate: Optional[ChatGate] = None) -> None:
        self.hotline = hotline
        self.gate = gate  # None: no rate limits, the peer is the client (tests of other behaviour)

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "RestInput":
        return cls(_kb_hotline(), process_gate())  # the Rasa process's ETOWN_* environment

    def _bot(self, sender: str, text: str) -> List[Dict[str, str]]:
        return [{"recipient_id": sender, "text": text}]

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("etown_rest_webhook", __name__)
        # After Rasa's own start-up listeners, i.e. once the model is loaded.
        webhook.listener("after_server_start")(rasa_speedups.freeze_startup_heap)
        webhook.listener("before_server_stop")(rasa_speedups.close_shared_sessions)
        webhook.listener("before_server_start")(cap_request_size)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if (request.headers.get("content-type") or "").split(";")[0].strip().lower() != "application/json":
                return response.json({"error": "The body must be sent as application/json."}, status=415)
            try:
                payload = request.json
            except Exception:  # noqa: BLE001 - Sanic raises its own InvalidUsage on a broken body
                payload = None
            if not isinstance(payload, dict):
                return response.json({"error": "The body must be a JSON object with sender and message."},
                                     status=400)
            sender, text = payload.get("sender"), payload.get("message")
            if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_LENGTH:
                return response.json({"error": f"sender must be a non-empty string of at most "
                                               f"{MAX_SENDER_LENGTH} characters."}, status=400)
            refused = refusal(text)
            if refused in (Refusal.NOT_TEXT, Refusal.INVALID_UNICODE):
                return response.json({"error": "message must be a string of valid Unicode text."}, status=400)
            if refused is Refusal.TOO_LONG:  # answered here: never parsed, never stored
                return response.json(self._bot(sender, too_long_reply(text)))
            address = self.gate.address(request.ip, request.headers.get("x-forwarded-for")) if self.gate \
                else request.ip
            wait = self.gate.wait_seconds(address, sender) if self.gate else None
            if wait is not None:
                return response.json(self._bot(sender, too_fast_reply(text, wait)), status=429,
                                     headers={"Retry-After": str(wait)})
            metadata = with_client_ip(payload.get("metadata"), address)
            collector = CollectingOutputChannel()
            failures: List[Exception] = []
            watching = store_failures.set(failures)
            try:
                await on_new_message(UserMessage(text, collector, sender, input_channel=self.name(),
                                                 metadata=metadata))
            except (CancelledError, Exception) as exc:  # noqa: BLE001 - every failure gets the same clear answer
                failures.append(exc)
            finally:
                store_failures.reset(watching)
            if failures:
                logger.error("REST channel: a message could not be handled (%s); answered 'temporarily "
                             "unavailable'", "; ".join(dict.fromkeys(_reason(f) for f in failures)))
                return response.json(self._bot(sender, unavailable_text(self.hotline)), status=503,
                                     headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
            if not collector.messages:
                logger.error("REST channel: a message produced no reply (is the action server up?); "
                             "answered with an apology")
                return response.json(self._bot(sender, no_answer_text(self.hotline)))
            return response.json(collector.messages)

        return webhook
