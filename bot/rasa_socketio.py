"""Rasa's socket.io input channel, with the session room joined for real and shared across replicas.

Rasa 3.6's channel calls ``AsyncServer.enter_room(...)`` without awaiting it; in the python-socketio
that Rasa's pins resolve to (5.x, where ``enter_room`` is a coroutine) the socket then never joins
its session's room, so with ``session_persistence`` no bot message (sent to the room named by the
session id) reaches the widget. This channel replaces the ``session_request`` handler; it is named
``socketio`` like Rasa's, so ``output_channel=socketio`` on the HTTP API still finds it.

Several replicas: a message for a room is emitted by the process that produces it (the replica that
handled the person's message, or the one that received the staff console's HTTP API call), but only
the replica holding the person's socket can deliver it. With a Redis URL configured (the lock store's,
ETOWN_LOCK_STORE_URL) the server uses python-socketio's ``AsyncRedisManager``: every emit is delivered
locally and published on a Redis channel; the other replicas deliver it to the sockets they hold in
that room (none, when the emitting replica already held the socket, so nothing arrives twice).
Configured in credentials.yml; the Redis URL and the channel come from the settings (bot/config.py).

Abuse limits: a connection whose Origin header is not one of the allowed origins (the settings'
resolved_cors_origins, which the Rasa server's CORS also allows) is refused by python-engineio with
HTTP 400 before any socket exists; clients that send no Origin (not a browser) are not concerned. A
message over the rate limits of its client address or sender (bot/rasa/rate_limits.py) is answered
to that socket with a polite bot message and not handled; a handled message carries the client
address in its metadata ("client_ip"), overwriting whatever the client sent there.
"""
from __future__ import annotations

import inspect
import json
import re
import uuid
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from sanic import Blueprint

from bot.config import Settings, get_settings
from bot.domain.abuse.client import with_client_ip
from bot.domain.abuse.rate_limits import too_fast_reply
from bot.domain.inbound import MAX_REQUEST_BYTES, NOT_TEXT_REPLY, Refusal, refusal, too_long_reply
from bot.rasa.rate_limits import ChatGate, process_gate

# the widget's session ids are uuid4 hex strings; anything else gets a fresh id
SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def session_id_from(data: Any) -> str:
    """The session id the client asked for, when it is a well-formed id; else a new random one."""
    asked = data.get("session_id") if isinstance(data, dict) else None
    return asked if isinstance(asked, str) and SESSION_ID.match(asked) else uuid.uuid4().hex


def rooms_channel(settings: Settings) -> str:
    """The Redis pub/sub channel the replicas share socket.io emits on. Redis pub/sub ignores the db
    number, so the channel carries the deployment's key prefix: two deployments (or test runs) on
    one Redis never deliver each other's messages."""
    return f"{settings.lock_store_key_prefix}-socketio"


def rooms_manager(settings: Settings):
    """python-socketio's Redis client manager on the lock store's Redis, or None without one (one
    process: python-socketio's in-memory manager)."""
    if not settings.lock_store_url:
        return None
    from socketio import AsyncRedisManager

    return AsyncRedisManager(settings.lock_store_url, channel=rooms_channel(settings))


class SocketIOInput(RasaSocketIOInput):
    """Rasa's socket.io channel whose sockets join their session's room (session persistence),
    with rooms shared across replicas through Redis when ``client_manager`` is set."""

    client_manager: Any = None
    gate: Optional[ChatGate] = None  # None: no rate limits (tests of other behaviour)
    allowed_origins: Optional[List[str]] = None  # None: any Origin (Rasa's behaviour)

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        channel = super().from_credentials(credentials)
        settings = get_settings()  # the Rasa process's ETOWN_* environment
        channel.client_manager = rooms_manager(settings)
        channel.gate = process_gate()
        channel.allowed_origins = settings.resolved_cors_origins
        return channel

    def client_address(self, sid: Text) -> str:
        """The address of the socket's client: its connection's peer, or X-Forwarded-For from a trusted proxy."""
        environ = self.sio.get_environ(sid, namespace=self.namespace) or {}
        request = environ.get("sanic.request")  # python-engineio's Sanic driver leaves REMOTE_ADDR at 127.0.0.1
        peer = getattr(request, "ip", None) or environ.get("REMOTE_ADDR")
        forwarded = environ.get("HTTP_X_FORWARDED_FOR")
        return self.gate.address(peer, forwarded) if self.gate else (peer or "unknown")

    def trusted_data(self, data: Dict, address: str) -> Dict:
        """The message's data with the client address in its metadata (Rasa reads metadata_key)."""
        metadata = data.get(self.metadata_key)
        if isinstance(metadata, str):  # Rasa accepts the metadata as a JSON string too
            try:
                metadata = json.loads(metadata)
            except ValueError:
                metadata = None
        return {**data, self.metadata_key: with_client_ip(metadata, address)}

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(on_new_message)
        sio = self.sio
        if self.client_manager is not None:
            # Rasa builds its AsyncServer with the default in-memory manager and no way to pass one;
            # nothing has used it yet, so it is swapped here (what AsyncServer(client_manager=...) does).
            sio.manager = self.client_manager
            sio.manager.set_server(sio)
            sio.manager_initialized = False

            @blueprint.listener("after_server_start")
            async def listen_to_other_replicas(app, loop) -> None:
                # python-socketio would subscribe in the background on the first connection, so an
                # emit published by another replica just after it could be missed: subscribe at start.
                if not sio.manager_initialized:
                    sio.manager_initialized = True
                    sio.manager.initialize()

        # A packet over the limit closes that socket unread (python-engineio's default allows 1 MB).
        sio.eio.max_http_buffer_size = MAX_REQUEST_BYTES
        if self.allowed_origins is not None:
            # Rasa turned python-engineio's Origin check off ([]); with the list it refuses other
            # origins with HTTP 400.
            sio.eio.cors_allowed_origins = list(self.allowed_origins)
            sio.eio.cors_credentials = False
            # Rasa's --cors (Sanic-CORS) already puts the CORS headers on every response of the server;
            # python-engineio would add a second Access-Control-Allow-Origin, and browsers refuse a
            # response that has two (the widget then never connects): engineio only checks the Origin.
            sio.eio._cors_headers = lambda environ: []
        handle_message = sio.handlers[self.namespace or "/"][self.user_message_evt]  # Rasa's handler

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def checked_message(sid: Text, data: Any) -> None:
            # What NLU must not see is answered here, to this socket only, and never stored.
            text = data.get("message") if isinstance(data, dict) else None
            refused = refusal(text)
            if refused is not None:
                reply = too_long_reply(text) if refused is Refusal.TOO_LONG else NOT_TEXT_REPLY
                await sio.emit(self.bot_message_evt, {"text": reply}, room=sid, namespace=self.namespace)
                return
            address = self.client_address(sid)
            sender = (data.get("session_id") if self.session_persistence else None) or sid
            wait = self.gate.wait_seconds(address, str(sender)[:255]) if self.gate else None
            if wait is not None:
                await sio.emit(self.bot_message_evt, {"text": too_fast_reply(text, wait)}, room=sid,
                               namespace=self.namespace)
                return
            await handle_message(sid, self.trusted_data(data, address))

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: Text, data: Optional[Dict]) -> None:
            session_id = session_id_from(data)
            if self.session_persistence:
                joined = sio.enter_room(sid, session_id, namespace=self.namespace)
                if inspect.isawaitable(joined):
                    await joined
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        return blueprint
