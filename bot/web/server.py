"""Runs the web app with uvicorn (the command line's `web` command calls serve())."""
from __future__ import annotations

from bot.config import Settings


def serve(settings: Settings) -> None:
    """Serve create_app(settings) on settings.host:settings.web_port until stopped; fail fast on a taken port."""
    import uvicorn

    from bot.ops.runner import ensure_port_free
    from bot.web.app import create_app

    settings.check()
    ensure_port_free(settings.host, settings.web_port, "web app, ETOWN_WEB_PORT")
    # ws="none": the app serves no websockets, and uvicorn's auto-detection fails on the
    # websockets 10 that Rasa pins (it looks for websockets' newer sans-I/O API).
    uvicorn.run(create_app(settings), host=settings.host, port=settings.web_port,
                log_level=settings.log_level.lower(), ws="none")
