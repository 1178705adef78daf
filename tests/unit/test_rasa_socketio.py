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


def test_without_a_redis_url_the_rooms_stay_in_the_process():
    from bot.config import Settings
    from bot.rasa_socketio import rooms_manager

    assert rooms_manager(Settings()) is None
    channel = SocketIOInput.from_credentials({"session_persistence": True})
    channel.client_manager = None
    channel.blueprint(_ignore)
    assert type(channel.sio.manager).__name__ == "AsyncManager"


def test_with_the_lock_store_url_rooms_are_shared_through_redis_on_the_deployments_channel():
    from socketio import AsyncRedisManager

    from bot.config import Settings
    from bot.rasa_socketio import rooms_manager

    settings = Settings(lock_store_url="redis://:pw@redis.internal:6380/3", lock_store_key_prefix="etownA")
    manager = rooms_manager(settings)
    assert isinstance(manager, AsyncRedisManager)
    assert manager.redis_url == "redis://:pw@redis.internal:6380/3" and manager.channel == "etownA-socketio"
    other = Settings(lock_store_url=settings.lock_store_url, lock_store_key_prefix="etownB")
    assert rooms_manager(other).channel == "etownB-socketio"  # Redis pub/sub ignores the db: the prefix separates


async def test_the_channel_runs_its_socketio_server_on_the_redis_manager():
    from socketio import AsyncRedisManager

    channel = SocketIOInput.from_credentials({"session_persistence": True})
    channel.client_manager = AsyncRedisManager("redis://127.0.0.1:6379/0", channel="unit-test-socketio")
    blueprint = channel.blueprint(_ignore)
    sio = channel.sio
    assert sio.manager is channel.client_manager and sio.manager.server is sio
    assert not sio.manager_initialized  # subscribed when the server starts (after_server_start listener)
    assert any(listener.event == "after_server_start" for listener in blueprint._future_listeners)
    # a socket held here still joins its session's room locally (no Redis needed for that)
    confirmed = []

    async def emit(event, data=None, room=None, namespace=None, **kwargs):
        confirmed.append((event, data, room))

    sio.emit = emit
    sid = await sio.manager.connect("eio-1", "/")
    await sio.handlers["/"]["session_request"](sid, {"session_id": "b992f2ac62e84f588aefb5e94b1688f1"})
    assert sid in dict(sio.manager.get_participants("/", "b992f2ac62e84f588aefb5e94b1688f1"))
    assert confirmed == [("session_confirm", "b992f2ac62e84f588aefb5e94b1688f1", sid)]


@pytest.mark.parametrize("data, words", [
    ({"message": "how much " * 3000, "session_id": "b992f2ac62e84f588aefb5e94b1688f1"}, "too long"),
    ({"message": None, "session_id": "b992f2ac62e84f588aefb5e94b1688f1"}, "could not read"),
    ({"message": "bad \ud800", "session_id": "b992f2ac62e84f588aefb5e94b1688f1"}, "could not read"),
    ("not a dict", "could not read"),
])
async def test_what_nlu_must_not_see_is_answered_to_the_socket_and_never_reaches_rasa(data, words):
    from bot.domain.inbound import MAX_REQUEST_BYTES

    calls = []

    async def on_new_message(message):
        calls.append(message)

    channel = SocketIOInput.from_credentials({"session_persistence": True})
    channel.blueprint(on_new_message)
    sio = channel.sio
    sent = []

    async def emit(event, data=None, room=None, namespace=None, **kwargs):
        sent.append((event, data, room))

    sio.emit = emit
    assert sio.eio.max_http_buffer_size == MAX_REQUEST_BYTES
    await sio.handlers["/"]["user_uttered"]("sid-1", data)
    assert not calls and len(sent) == 1
    event, reply, room = sent[0]
    assert event == "bot_uttered" and room == "sid-1" and words in reply["text"]


async def test_an_ordinary_message_still_reaches_rasa():
    calls = []

    async def on_new_message(message):
        calls.append(message)

    channel = SocketIOInput.from_credentials({"session_persistence": True})
    channel.blueprint(on_new_message)
    await channel.sio.handlers["/"]["user_uttered"]("sid-1", {"message": "hello",
                                                               "session_id": "b992f2ac62e84f588aefb5e94b1688f1"})
    assert [(m.text, m.sender_id) for m in calls] == [("hello", "b992f2ac62e84f588aefb5e94b1688f1")]
