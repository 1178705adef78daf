"""Case routes: the approval system pushes case updates; HR staff list their enterprise's cases."""
from __future__ import annotations

import hmac
import logging
from typing import Optional
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse

from bot.domain.case_records import ALL_FIELDS, FIELDS
from bot.domain.identity import InvalidCreditCode
from bot.domain.verification import AccessDenied, AccessLocked
from bot.domain.wording import format_date
from bot.logs import install_pii_filter
from bot.services.cases import CaseImportError, ImportSummary, push_cases
from bot.services.enterprise_cases import list_enterprise_cases
from bot.services.keys import case_hasher
from bot.web.hardening.json_body import InvalidJson, NotJson, is_json_type, parse_json

router = APIRouter()
logger = logging.getLogger(__name__)
MAX_BODY = 10 * 1024 * 1024
PRIVATE_PAGE = {"Cache-Control": "no-store"}  # and the app's security headers (bot/web/hardening)
HR_TITLE = "Your employees' cases"
# The push body, described for the OpenAPI schema (the route reads the body itself: one object or a list).
CASE_OBJECT = {"type": "object", "required": list(FIELDS), "properties": {f: {"type": "string"} for f in ALL_FIELDS}}
PUSH_BODY = {"requestBody": {"required": True, "content": {"application/json": {"schema": {
    "oneOf": [CASE_OBJECT, {"type": "array", "items": CASE_OBJECT, "minItems": 1}]}}}}}


@router.on_event("startup")
def _mask_personal_data_in_logs() -> None:
    """The app's loggers (and uvicorn's) mask passport-like tokens; wired when the app starts, not on import."""
    install_pii_filter()


@router.post("/api/cases", openapi_extra=PUSH_BODY)
async def receive_cases(request: Request):
    """Cases pushed by the approval system: one JSON object or a list, the CSV's fields as keys.

    503 when no push token is configured, 401 without the right bearer token, 415 unless the body
    is sent as application/json, 413 over MAX_BODY bytes, 422 listing every problem (nothing saved;
    a body that is not UTF-8 JSON of valid Unicode is one), 200 with created/updated/unchanged/stale counts.
    """
    expected = request.app.state.settings.case_push_token
    if not expected:
        return JSONResponse({"detail": "case push is not configured (ETOWN_CASE_PUSH_TOKEN)"}, status_code=503)
    if not _bearer_matches(request.headers.get("authorization"), expected):
        return JSONResponse({"detail": "a valid bearer token is required"}, status_code=401,
                            headers={"WWW-Authenticate": "Bearer"})
    if not is_json_type(request.headers.get("content-type", "")):
        raise NotJson()
    body = await request.body()
    if len(body) > MAX_BODY:
        return JSONResponse({"detail": f"the body is larger than {MAX_BODY} bytes"}, status_code=413)
    try:
        items = parse_json(body)
    except InvalidJson as exc:
        return _problems([{"loc": ["body"], "msg": exc.reason, "type": "value_error.jsondecode"}])
    try:
        summary: ImportSummary = await run_in_threadpool(_push, request, items)
    except CaseImportError as exc:
        logger.info("case push rejected: %d problems", len(exc.problems))
        return _problems([{"loc": ["body", *(k for k in (p.item, p.field) if k is not None)], "msg": p.message,
                           "type": "value_error"} for p in exc.problems])
    return {"created": summary.created, "updated": summary.updated, "unchanged": summary.unchanged,
            "stale": summary.stale}


def _push(request: Request, items) -> ImportSummary:
    state = request.app.state
    return push_cases(state.uow_factory(), state.knowledge.get().kb, case_hasher(state.settings), items)


def _bearer_matches(header: Optional[str], expected: str) -> bool:
    scheme, _, token = (header or "").strip().partition(" ")
    # compare_digest on bytes: constant time, and no TypeError for non-ASCII input
    return scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), expected.encode())


def _problems(detail: list) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=422)


@router.get("/hr/cases", response_class=HTMLResponse)
def hr_form(request: Request):
    return _hr_page(request)


@router.post("/hr/cases", response_class=HTMLResponse)
def hr_cases(request: Request, credit_code: str = Form(""), access_code: str = Form("")):
    """The enterprise's cases for the right credit code and access code (POST: codes stay out of URLs and logs)."""
    state = request.app.state
    try:
        result = list_enterprise_cases(state.uow_factory(), credit_code, access_code)
    except InvalidCreditCode as exc:
        return _hr_page(request, f"This is not a unified social credit code: {exc}.", credit_code, 422)
    except AccessLocked as exc:
        until = exc.until.astimezone(ZoneInfo(state.settings.timezone)).strftime("%H:%M")
        return _hr_page(request, f"Too many wrong access codes for this enterprise. Please try again after {until} "
                                 "(Beijing time).", credit_code, 429)
    except AccessDenied:
        return _hr_page(request, "The credit code and access code do not match. Check both and try again; "
                                 "after 5 wrong codes the enterprise is locked for 15 minutes.", credit_code, 403)
    return _hr_page(request, result=result)


def _hr_page(request: Request, message: Optional[str] = None, credit_code: str = "", status: int = 200,
             result=None) -> HTMLResponse:
    html = request.app.state.templates.get_template("hr_cases.html").render(
        title=HR_TITLE, message=message, credit_code=credit_code[:40], result=result, format_date=format_date)
    return HTMLResponse(html, status_code=status, headers=PRIVATE_PAGE)
