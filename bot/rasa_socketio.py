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
"""
from __future__ import annotations

import inspect
import re
import uuid
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from sanic import Blueprint

from bot.config import Settings, get_settings
from bot.domain.inbound import MAX_REQUEST_BYTES, NOT_TEXT_REPLY, Refusal, refusal, too_long_reply

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

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        channel = super().from_credentials(credentials)
        channel.client_manager = rooms_manager(get_settings())  # the Rasa process's ETOWN_* environment
        return channel

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
            await handle_message(sid, data)

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: Text, data: Optional[Dict]) -> None:
            session_id = session_id_from(data)
            if self.session_persistence:
                joined = sio.enter_room(sid, session_id, namespace=self.namespace)
                if inspect.isawaitable(joined):
                    await joined
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        return blueprint
