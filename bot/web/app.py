"""The web app factory: wiring happens here, per app, never at import time."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Optional

import jinja2
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from bot.config import Settings, get_settings
from bot.db.engine import session_factory_for
from bot.db.uow import UnitOfWork
from bot.domain.checklist import InvalidProfile, is_checklist_id
from bot.kb.errors import KnowledgeBaseNotLoaded
from bot.services.checklists import ChecklistNotFound, InvalidBatch
from bot.services.knowledge import KnowledgeCache, ServiceUnavailable
from bot.web import assets, chat, checklists, handoff_sweep
from bot.web import bookings as booking_routes
from bot.web import cases as case_routes
from bot.web import staff as staff_console
from bot.web.hardening.headers import SecurityHeaders, missing_headers
from bot.web.hardening.limits import BodyLimit

logger = logging.getLogger(__name__)
TEMPLATES = Path(__file__).resolve().parent / "templates"


def create_app(settings: Optional[Settings] = None) -> FastAPI:
    """A FastAPI app reading the database and knowledge base named by ``settings`` (default: environment)."""
    settings = settings or get_settings()
    app = FastAPI(title="Beijing E-Town permits assistant", docs_url=None, redoc_url=None, openapi_url=None)
    factory = session_factory_for(settings.resolved_database_url)
    app.state.settings = settings
    app.state.uow_factory = lambda: UnitOfWork(factory)
    app.state.knowledge = KnowledgeCache(app.state.uow_factory, settings.kb_refresh_seconds)
    # autoescape everywhere: labels and other user text reach the pages
    app.state.templates = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                                             undefined=jinja2.StrictUndefined)

    @app.get("/health")
    def health() -> dict:
        return {"status": "ok"}

    app.include_router(assets.router)
    app.include_router(chat.router)
    app.include_router(checklists.router)
    app.include_router(booking_routes.router)
    app.include_router(case_routes.router)
    staff_console.install(app)
    handoff_sweep.install(app)
    _add_error_pages(app)
    # The last added runs first: the headers go on everything, the body cap's 413s included.
    app.add_middleware(BodyLimit, per_path={"/api/cases": case_routes.MAX_BODY})
    app.add_middleware(SecurityHeaders, https=settings.resolved_public_base_url.startswith("https://"))
    return app


def error_page(request: Request, status: int, title: str, message: str) -> HTMLResponse:
    html = request.app.state.templates.get_template("error.html").render(title=title, message=message)
    return HTMLResponse(html, status_code=status)


def _add_error_pages(app: FastAPI) -> None:
    @app.exception_handler(Exception)
    def _server_error(request: Request, exc: Exception):
        # Starlette answers this outside every middleware (and then re-raises, so the traceback is
        # logged): the security headers are added here.
        page = error_page(request, 500, "Something went wrong",
                          "The service could not answer this request. Please try again later.")
        https = request.app.state.settings.resolved_public_base_url.startswith("https://")
        page.headers.update(dict(missing_headers(page.headers.keys(), page.headers["content-type"], https)))
        return page

    @app.exception_handler(ChecklistNotFound)
    def _not_found(request: Request, exc: ChecklistNotFound):
        ids = [i for i in exc.checklist_ids if is_checklist_id(i)]  # never echo arbitrary text back
        which = f"with the id {', '.join(ids)}" if len(ids) == len(exc.checklist_ids) else "at this address"
        return error_page(request, 404, "Checklist not found",
                          f"There is no checklist {which}. Check the link, or ask the assistant for a new checklist.")

    @app.exception_handler(chat.WidgetMissing)
    def _no_widget(request: Request, exc: chat.WidgetMissing):
        return PlainTextResponse("The chat widget is not installed on this server (the set-up runs `npm ci`).",
                                 status_code=503)

    @app.exception_handler(InvalidBatch)
    def _bad_batch(request: Request, exc: InvalidBatch):
        return error_page(request, 422, "Cannot show these checklists", f"{exc}.")

    @app.exception_handler(InvalidProfile)
    def _bad_profile(request: Request, exc: InvalidProfile):
        return JSONResponse({"detail": [{"loc": ["body", exc.field], "msg": exc.message, "type": "value_error"}]},
                            status_code=422)

    @app.exception_handler(KnowledgeBaseNotLoaded)
    @app.exception_handler(ServiceUnavailable)
    def _unavailable(request: Request, exc: Exception):
        return error_page(request, 503, "Temporarily unavailable",
                          "The knowledge base cannot be read right now. Please try again in a few minutes.")

    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    def _database_down(request: Request, exc: DBAPIError):
        # The database cannot be reached (e.g. restarting): nothing was saved; the caller may retry.
        # Only the error class is logged: SQLAlchemy's message quotes the statement's parameters.
        logger.error("web app: database error %s on %s %s", type(exc.orig).__name__, request.method, request.url.path)
        retry = {"Retry-After": "30"}
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": "the database is temporarily unavailable; nothing was saved, "
                                           "please retry"}, status_code=503, headers=retry)
        page = error_page(request, 503, "Temporarily unavailable",
                          "The service cannot reach its database right now. Please try again in a few minutes.")
        page.headers.update(retry)
        return page
