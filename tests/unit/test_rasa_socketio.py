"""The socket.io channel joins the session's room, so the bot's and the staff's messages arrive."""
import pytest

from bot.rasa_socketio import SocketIOInput, session_id_from


async def _ignore(message):
    return None


@pytest.mark.parametrize("data, kept", [
    ({"session_id": "b992f2ac62e84f588aefb5e94b1688f1"}, True),
    ({"session_id": "../../etc"}, False), ({"session_id": 42}, False), ({"session_id": "x" * 65}, False),
    ({}, False), (None, False), ("b992f2ac62e84f588aefb5e94b1688f1", False),
])
def test_only_well_formed_session_ids_are_kept(data, kept):
    session_id = session_id_from(data)
    assert (session_id == (data or {}).get("session_id") if isinstance(data, dict) else False) == kept
    assert len(session_id) >= 8


async def test_session_request_joins_the_room_named_by_the_session_id():
    channel = SocketIOInput.from_credentials({"session_persistence": True})
    channel.blueprint(_ignore)
    sio = channel.sio
    confirmed = []

    async def emit(event, data=None, room=None, namespace=None, **kwargs):
        confirmed.append((event, data, room))

    sio.emit = emit
    sid = await sio.manager.connect("eio-1", "/")  # a socket as the widget's connection makes it
    await sio.handlers["/"]["session_request"](sid, {"session_id": "b992f2ac62e84f588aefb5e94b1688f1"})
    assert sid in dict(sio.manager.get_participants("/", "b992f2ac62e84f588aefb5e94b1688f1"))
    assert confirmed == [("session_confirm", "b992f2ac62e84f588aefb5e94b1688f1", sid)]
    assert channel.name() == "socketio"
