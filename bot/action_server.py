"""The action server: rasa-sdk's own Sanic app, locked down to Rasa.

`python -m bot actions` runs rasa_sdk.endpoint.create_app (the same app as `rasa run actions`) with
two changes: when ETOWN_ACTION_TOKEN is set, every request other than GET /health must carry
``Authorization: Bearer <token>`` (Rasa sends it: the action_endpoint ``headers`` of the rendered
endpoints file); and a failed action answers 500 without echoing the request. It binds
ETOWN_ACTION_HOST (loopback by default; another interface only with a token, see
Settings.problems), with ETOWN_ACTION_WORKERS Sanic workers sharing the port.
"""
from __future__ import annotations

import hmac
import logging
from typing import Optional

from bot.config import Settings
from bot.logs import PiiMaskingFilter

logger = logging.getLogger(__name__)
OPEN_PATHS = frozenset({"/health"})


def token_matches(header: Optional[str], token: str) -> bool:
    """True when ``header`` is ``Bearer <token>`` (compared in constant time)."""
    scheme, _, given = (header or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def create_app(settings: Settings):
    """rasa-sdk's action server app for the actions/ package, with the token check when a token is set."""
    from rasa_sdk.endpoint import create_app as sdk_create_app
    from sanic import response

    app = sdk_create_app("actions", cors_origins=[], auto_reload=False)

    @app.exception(Exception)
    async def failed(request, exception: Exception):
        # Replaces rasa-sdk's handler, whose 500 body echoes the whole request (the tracker, with the
        # user's messages and slots) back to Rasa, which then logs it. The masked traceback stays here.
        logger.error("action server: %s failed (%s)", request.path, type(exception).__name__, exc_info=exception)
        return response.json({"error": "the action failed; see the action server's log"}, status=500)

    token = settings.action_token
    if token:
        @app.middleware("request")
        async def require_token(request):
            if request.path in OPEN_PATHS or token_matches(request.headers.get("authorization"), token):
                return None
            logger.warning("action server: refused a %s %s without a valid token", request.method, request.path)
            return response.json({"error": "forbidden"}, status=403)
    return app


async def _warm_up(app, loop) -> None:
    """Load the sentence encoder and the fact index before the first question (they take seconds; the
    index comes from its disk cache after the first run). A knowledge base that cannot be read yet is
    loaded on the first question instead."""
    from bot import wiring

    try:
        wiring.fact_index_cache().get(wiring.knowledge_cache().get().kb)
    except Exception as exc:  # noqa: BLE001 - the server still starts; answers retry the load
        logger.warning("action server: fact index not prepared at start (%s)", type(exc).__name__)


def serve(settings: Settings) -> None:
    """Run the action server on settings.action_host:settings.action_port until stopped."""
    from rasa_sdk import utils
    from rasa_sdk.plugin import plugin_manager

    from bot.ops.runner import ensure_port_free

    settings.check()
    ensure_port_free(settings.action_host, settings.action_port, "action server, ETOWN_ACTION_PORT")
    utils.configure_colored_logging(settings.log_level.upper())
    utils.update_sanic_log_level()
    for handler in logging.getLogger().handlers:  # every record, from any library, is masked on output
        handler.addFilter(PiiMaskingFilter())
    app = create_app(settings)
    app.register_listener(_warm_up, "before_server_start")
    plugin_manager().hook.attach_sanic_app_extensions(app=app)  # as `rasa run actions` does
    logger.info("Action server on %s:%s (token %s)", settings.action_host, settings.action_port,
                "required" if settings.action_token else "not set: loopback only")
    app.run(settings.action_host, settings.action_port, workers=settings.action_workers,
            access_log=False)
