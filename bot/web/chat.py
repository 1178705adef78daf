"""The public chat page: the rasa-webchat widget (npm, installed by the set-up) over Rasa's socket.io channel.

The widget keeps its session id in the browser's local storage and Rasa's socket.io channel runs
with session_persistence (credentials.yml), so a reload rejoins the same conversation (Rasa's
socket.io room is the session id). Nothing is rendered from user input here: the page only carries
the widget's settings. Script and connections are limited by the page's own Content-Security-Policy
(the app's middleware adds the other security headers).
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from bot.config import PROJECT_ROOT, Settings

router = APIRouter()
WIDGET_FILE = PROJECT_ROOT / "node_modules" / "rasa-webchat" / "lib" / "index.js"
STATIC = Path(__file__).resolve().parent / "static" / "chat"
# Starlette adds "; charset=utf-8" to text/ types itself; application/ types name it here.
STATIC_TYPES = {"chat.js": "application/javascript; charset=utf-8", "chat.css": "text/css"}


class WidgetMissing(Exception):
    """node_modules/rasa-webchat is not installed (the set-up runs `npm ci`)."""


def content_policy(settings: Settings) -> dict:
    """The chat page's own Content-Security-Policy: scripts from this site only, the styles the widget
    injects, connections to the Rasa server's socket.io address. (The widget's CSS also imports a web
    font from Google; that is blocked, and the page keeps its system font.)"""
    socket = urlsplit(settings.resolved_chat_socket_url)
    ws_scheme = "wss" if socket.scheme == "https" else "ws"
    connect = f"{socket.scheme}://{socket.netloc} {ws_scheme}://{socket.netloc}"
    return {
        # the widget injects its own <style> elements; no inline or remote script runs
        "Content-Security-Policy": (f"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                                    f"img-src 'self' data:; font-src 'self' data:; connect-src 'self' {connect}; "
                                    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'; object-src 'none'"),
    }


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def chat_page(request: Request) -> HTMLResponse:
    settings: Settings = request.app.state.settings
    html = request.app.state.templates.get_template("chat.html").render(
        socket_url=settings.resolved_chat_socket_url, widget_ready=WIDGET_FILE.is_file())
    return HTMLResponse(html, headers=content_policy(settings))


@router.get("/chat/webchat.js", include_in_schema=False)
def widget_bundle() -> Response:
    if not WIDGET_FILE.is_file():
        raise WidgetMissing()
    return FileResponse(WIDGET_FILE, media_type="application/javascript; charset=utf-8",
                        headers={"Cache-Control": "public, max-age=3600"})


@router.get("/chat/{name}", include_in_schema=False)
def chat_static(name: str) -> Response:
    if name not in STATIC_TYPES:  # a fixed list: no path from the request reaches the file system
        return Response("Not found", status_code=404, media_type="text/plain")
    return FileResponse(STATIC / name, media_type=STATIC_TYPES[name])
