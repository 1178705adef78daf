"""Speed-ups for the Rasa server process, installed by our entry points (bot/rasa_server.py for
``rasa run``, bot/rasa_cli.py for ``rasa test``) before Rasa starts.

Each one removes work Rasa 3.6 repeats on every message without changing what it computes; each
was found by profiling the Rasa server under load (bench/hotspots.py, bench/README.md) and is
unit-tested against Rasa's own code. Re-check them on any Rasa upgrade.

- Action responses: Rasa validates every action server response with ``jsonschema.validate``,
  which (jsonschema 4.17) re-checks the constant response schema against the draft 2020-12
  meta-schema on every call: about a third of the server's CPU. Here the schema is checked once
  and its validator reused (same errors, same message).
- Event types: ``Event.resolve_by_type`` walks every subclass of ``Event`` for every event it
  reads (a stored conversation, an action's answer): about 6 % of the server's CPU. Here the
  name-to-class table is built once and rebuilt only for a name it does not know.
- Rules: bot/rasa_fast_rules.py (RulePolicy re-parsed and re-checked every rule against the
  whole conversation for every prediction: about a tenth of the CPU).
- Garbage collection: the loaded model, TensorFlow and Rasa leave millions of long-lived
  objects, and every full collection walked all of them again; those collections, set off by
  whatever line allocated at that moment, were about a tenth of the server's CPU. Once the model
  is loaded (Sanic's after_server_start), the start-up heap is frozen (``gc.freeze``): collections
  then look only at what messages allocate. Nothing is leaked: frozen objects are the start-up's.
- TED only when it can win: bot/rasa_deferred_ted.py (about a third of the CPU).
- Action server connection: Rasa opens a new HTTP client session, hence a new TCP connection,
  for every action call. Here the calls of one event loop share one session and keep their
  connections alive (for less time than the action server does, so a request never goes out on a
  connection the server is closing); the REST channel closes them when the server stops.
"""
from __future__ import annotations

import asyncio
import gc
import weakref
from functools import lru_cache
from typing import Any, Dict, Optional, Text, Tuple, Type

_installed = False

# Sanic (Rasa's and rasa-sdk's server) closes idle keep-alive connections after 5 s.
KEEPALIVE_SECONDS = 2.0


@lru_cache(maxsize=1)
def action_response_validator():
    """A validator for Rasa's action-response schema, its schema checked once."""
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    spec = RemoteAction.action_response_format_spec()
    cls = validator_for(spec)
    cls.check_schema(spec)  # what jsonschema.validate does on every call
    return cls(spec)


def validate_action_result(self, result: Dict[Text, Any]) -> bool:
    """RemoteAction._validate_action_result with a reused validator (same errors and message)."""
    from jsonschema.exceptions import best_match
    from rasa.shared.constants import DOCS_BASE_URL

    error = best_match(action_response_validator().iter_errors(result))
    if error is not None:
        error.message += (
            f". Failed to validate Action server response from API, "
            f"make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error
    return True


_event_types: Dict[Text, Type] = {}


def _event_type_table() -> Dict[Text, Type]:
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    table: Dict[Text, Type] = {}
    for cls in all_subclasses(Event):
        table.setdefault(cls.type_name, cls)  # the first match wins, as in Rasa's loop
    return table


def resolve_event_type(type_name: Text, default: Optional[Type] = None) -> Optional[Type]:
    """Event.resolve_by_type from a table instead of a walk over all Event subclasses."""
    global _event_types
    cls = _event_types.get(type_name)
    if cls is None:
        _event_types = _event_type_table()  # a class defined since the last build
        cls = _event_types.get(type_name)
    if cls is not None:
        return cls
    if type_name == "topic":
        return None  # Rasa's backwards compatibility for old TopicSet events
    if default is not None:
        return default
    raise ValueError(f"Unknown event name '{type_name}'.")


# One shared client session per (event loop, headers, basic auth); a session belongs to its loop.
_sessions: "weakref.WeakKeyDictionary[Any, Dict[Tuple, Any]]" = weakref.WeakKeyDictionary()


class _SharedSession:
    """What ``async with endpoint.session() as session`` expects, without closing the session."""

    def __init__(self, endpoint) -> None:
        self.endpoint = endpoint

    async def __aenter__(self):
        import aiohttp
        from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT

        endpoint = self.endpoint
        auth = endpoint.basic_auth or {}
        key = (tuple(sorted((endpoint.headers or {}).items())), auth.get("username"), auth.get("password"))
        per_loop = _sessions.setdefault(asyncio.get_running_loop(), {})
        session = per_loop.get(key)
        if session is None or session.closed:
            session = aiohttp.ClientSession(
                headers=endpoint.headers,
                auth=aiohttp.BasicAuth(auth["username"], auth["password"]) if auth else None,
                timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
                connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS),
            )
            per_loop[key] = session
        return session

    async def __aexit__(self, *exc_info) -> None:
        return None


async def close_shared_sessions(*_args) -> None:
    """Sanic listener (before_server_stop): close this loop's shared sessions and their connections."""
    for session in _sessions.pop(asyncio.get_running_loop(), {}).values():
        await session.close()


def shared_session(self) -> _SharedSession:
    """EndpointConfig.session: the loop's shared client session for these headers and credentials."""
    return _SharedSession(self)


_frozen = False


async def freeze_startup_heap(*_args) -> None:
    """Sanic listener: collect once, then keep the start-up heap out of later collections."""
    global _frozen
    if _frozen:
        return
    gc.collect()
    gc.freeze()
    _frozen = True


def install() -> None:
    """Install the speed-ups into this process (idempotent)."""
    global _installed
    if _installed:
        return
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.core.events import Event
    from rasa.utils.endpoints import EndpointConfig

    from bot import rasa_deferred_ted, rasa_fast_rules

    rasa_deferred_ted.install()
    rasa_fast_rules.install()
    RemoteAction._validate_action_result = validate_action_result
    Event.resolve_by_type = staticmethod(resolve_event_type)
    EndpointConfig.session = shared_session
    _installed = True
