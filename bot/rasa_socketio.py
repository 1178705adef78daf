"""Rasa's socket.io input channel, with the session room joined for real.

Rasa 3.6's channel calls ``AsyncServer.enter_room(...)`` without awaiting it; in the python-socketio
that Rasa's pins resolve to (5.x, where ``enter_room`` is a coroutine) the socket then never joins
its session's room, so with ``session_persistence`` no bot message (sent to the room named by the
session id) reaches the widget. This channel replaces only the ``session_request`` handler; it is
named ``socketio`` like Rasa's, so ``output_channel=socketio`` on the HTTP API still finds it.
Configured in credentials.yml.
"""
from __future__ import annotations

import inspect
import re
import uuid
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from sanic import Blueprint

# the widget's session ids are uuid4 hex strings; anything else gets a fresh id
SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def session_id_from(data: Any) -> str:
    """The session id the client asked for, when it is a well-formed id; else a new random one."""
    asked = data.get("session_id") if isinstance(data, dict) else None
    return asked if isinstance(asked, str) and SESSION_ID.match(asked) else uuid.uuid4().hex


class SocketIOInput(RasaSocketIOInput):
    """Rasa's socket.io channel whose sockets join their session's room (session persistence)."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(on_new_message)
        sio = self.sio

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: Text, data: Optional[Dict]) -> None:
            session_id = session_id_from(data)
            if self.session_persistence:
                joined = sio.enter_room(sid, session_id, namespace=self.namespace)
                if inspect.isawaitable(joined):
                    await joined
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        return blueprint
