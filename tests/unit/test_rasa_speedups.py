"""The Rasa server speed-up validates action responses exactly as Rasa's own check does."""
import json

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from bot import rasa_fast_rules, rasa_speedups

VALID = {"events": [{"event": "slot", "name": "topic", "value": "fees", "timestamp": None}],
         "responses": [{"text": "Fees: CNY 400", "buttons": []}]}
INVALID = [
    {"events": [{"name": "topic"}], "responses": []},  # an event without its type
    {"events": "not a list", "responses": []},
    {"events": [], "responses": ["not an object"]},
]


def test_a_valid_response_passes_as_with_jsonschema_validate():
    jsonschema.validate(VALID, RemoteAction.action_response_format_spec())
    assert rasa_speedups.validate_action_result(None, VALID) is True


@pytest.mark.parametrize("result", INVALID)
def test_an_invalid_response_raises_the_same_error_as_rasa(result):
    with pytest.raises(jsonschema.ValidationError) as expected:
        jsonschema.validate(result, RemoteAction.action_response_format_spec())
    with pytest.raises(jsonschema.ValidationError) as raised:
        rasa_speedups.validate_action_result(None, result)
    assert raised.value.message.startswith(expected.value.message)
    assert "Failed to validate Action server response" in raised.value.message


def test_install_replaces_rasas_check_once(monkeypatch):
    monkeypatch.setattr(RemoteAction, "_validate_action_result", RemoteAction._validate_action_result)
    monkeypatch.setattr(rasa_speedups, "_installed", False)
    rasa_speedups.install()
    rasa_speedups.install()
    assert RemoteAction._validate_action_result is rasa_speedups.validate_action_result
    assert RemoteAction("action_x", None)._validate_action_result(VALID) is True


def _resolve_as_rasa_does(type_name):
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    return next(cls for cls in all_subclasses(Event) if cls.type_name == type_name)


def test_event_types_resolve_to_the_class_rasas_walk_finds():
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    names = {cls.type_name for cls in all_subclasses(Event)}
    assert {"user", "bot", "slot", "action", "active_loop", "session_started", "pause"} <= names
    for name in names:
        assert rasa_speedups.resolve_event_type(name) is _resolve_as_rasa_does(name)


def test_unknown_event_types_behave_as_in_rasa():
    from rasa.shared.core.events import SlotSet

    assert rasa_speedups.resolve_event_type("topic") is None
    assert rasa_speedups.resolve_event_type("no_such_event", default=SlotSet) is SlotSet
    with pytest.raises(ValueError, match="Unknown event name 'no_such_event'"):
        rasa_speedups.resolve_event_type("no_such_event")


def test_an_event_class_defined_later_is_found():
    from rasa.shared.core.events import Event, SlotSet

    rasa_speedups.resolve_event_type("slot")  # the table exists before the new class

    class LateEvent(SlotSet):
        type_name = "etown_late_test_event"

    assert rasa_speedups.resolve_event_type("etown_late_test_event") is LateEvent
    assert issubclass(LateEvent, Event)


def test_stored_events_read_back_the_same_with_the_table(monkeypatch):
    from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered, deserialise_events

    events = [UserUttered("hi", {"name": "greet", "confidence": 0.9}), ActionExecuted("action_listen"),
              SlotSet("topic", "fees")]
    monkeypatch.setattr(Event, "resolve_by_type", staticmethod(rasa_speedups.resolve_event_type))
    assert deserialise_events([e.as_dict() for e in events]) == events


async def test_action_calls_share_one_session_and_its_connections(unused_tcp_port):
    from aiohttp import web
    from rasa.utils.endpoints import EndpointConfig

    peers = []

    async def handler(request):
        peers.append(request.transport.get_extra_info("peername"))
        return web.json_response({"events": [], "responses": [], "auth": request.headers.get("Authorization")})

    app = web.Application()
    app.router.add_post("/webhook", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", unused_tcp_port).start()
    try:
        endpoint = EndpointConfig(f"http://127.0.0.1:{unused_tcp_port}/webhook", headers={"Authorization": "Bearer t"})
        endpoint.session = rasa_speedups.shared_session.__get__(endpoint)
        answers = [await endpoint.request(json={"n": n}, method="post") for n in range(3)]
        async with endpoint.session() as one, endpoint.session() as two:
            assert one is two and not one.closed
    finally:
        await runner.cleanup()
    assert [a["auth"] for a in answers] == ["Bearer t"] * 3
    assert len(set(peers)) == 1  # one kept-alive connection, not one per call
    await rasa_speedups.close_shared_sessions(None, None)  # what the channel does when Sanic stops
    assert one.closed


def test_install_puts_every_speed_up_in_place(monkeypatch):
    from rasa.core.policies.rule_policy import RulePolicy
    from rasa.shared.core.events import Event
    from rasa.utils.endpoints import EndpointConfig

    for owner, name in ((RemoteAction, "_validate_action_result"), (Event, "resolve_by_type"),
                        (RulePolicy, "_rule_key_to_state"), (RulePolicy, "_get_possible_keys"),
                        (EndpointConfig, "session")):
        monkeypatch.setattr(owner, name, owner.__dict__[name])
    monkeypatch.setattr(rasa_speedups, "_installed", False)
    rasa_speedups.install()
    assert Event.resolve_by_type("slot") is _resolve_as_rasa_does("slot")
    assert RulePolicy._rule_key_to_state("[]") == []
    assert RulePolicy._get_possible_keys is rasa_fast_rules.get_possible_keys
    assert EndpointConfig.session is rasa_speedups.shared_session


async def test_the_start_up_heap_is_frozen_once(monkeypatch):
    import gc

    calls = []
    monkeypatch.setattr(rasa_speedups, "_frozen", False)
    monkeypatch.setattr(gc, "freeze", lambda: calls.append("freeze"))
    await rasa_speedups.freeze_startup_heap(None, None)
    await rasa_speedups.freeze_startup_heap(None, None)
    assert calls == ["freeze"]


def test_the_rest_channel_freezes_the_heap_at_start_and_closes_the_sessions_at_stop():
    from rasa.core.channels.channel import UserMessage  # noqa: F401 - Rasa's channel module loads first

    from bot.rasa_channels import RestInput

    blueprint = RestInput().blueprint(lambda message: None)
    listeners = {future.event: future.listener for future in blueprint._future_listeners}
    assert listeners["after_server_start"] is rasa_speedups.freeze_startup_heap
    assert listeners["before_server_stop"] is rasa_speedups.close_shared_sessions
