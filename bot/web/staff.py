"""The staff console at /staff: log in, the queue, a ticket (transcript, slots, live messages),
claim, reply, hand back, close with a resolution note, unlocking a case locked by guessing (with its
audit list), and the ledger figures for supervisors.

Routes parse, call bot.services.handoff_console / staff_auth / ledger, and render. Messages go to
Rasa through the app's RasaConversations (app.state.rasa_conversations, else bot.wiring's).
"""
from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any, Optional
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from bot.domain import handoff as rules
from bot.domain.staff import SESSION_MAX
from bot.services import clock
from bot.services import handoff_console as console
from bot.services.identity_checks import unlocks
from bot.services.keys import secret_key
from bot.services.ledger import PERIODS, UnknownPeriod, ledger_report
from bot.services.staff_auth import LoginFailed, LoginLocked, StaffMember, log_in, log_out
from bot.web import staff_session as web_session
from bot.web.staff_session import (HEADERS, LOGIN_COOKIE, SESSION_COOKIE, CsrfRejected, NotLoggedIn,
                                   SupervisorsOnly, checked_member, current_member, supervisor)

router = APIRouter(prefix="/staff")
STATIC = Path(__file__).resolve().parent / "static" / "staff"
STATIC_TYPES = {"console.js": "application/javascript; charset=utf-8", "console.css": "text/css"}
# Notices after a POST are chosen by code: nothing from the request is echoed into the page.
NOTICES = {
    "claimed": ("ok", "You hold this conversation now; the person sees your replies in the chat."),
    "taken": ("error", "Someone else claimed this ticket first, or it has ended."),
    "sent": ("ok", "Reply delivered to the person's chat."),
    "recorded": ("ok", "Reply recorded (this person left a contact outside staff hours: answer by e-mail or phone)."),
    "pending": ("error", "Not delivered yet: the assistant cannot be reached. Your reply is saved; press Retry."),
    "empty": ("error", "Nothing was sent: the text is empty or longer than allowed."),
    "handed_back": ("ok", "Handed back: the assistant answers this person again."),
    "closed": ("ok", "Closed with your resolution note."),
    "resume_pending": ("error", "Saved, but the assistant cannot be reached to resume this conversation yet. "
                                "Press Retry."),
    "not_yours": ("error", "Another staff member holds this ticket."),
    "invalid": ("error", "This ticket is not in a state that allows that."),
}


def install(app: FastAPI) -> None:
    """Add the console's routes and the answers to its errors to ``app``."""
    app.include_router(router)

    @app.exception_handler(NotLoggedIn)
    def _login_first(request: Request, exc: NotLoggedIn):
        if request.url.path.endswith((".json", ".csv")):  # data, not pages: no redirect
            return JSONResponse({"detail": "log in first"}, status_code=401, headers=HEADERS)
        return RedirectResponse("/staff/login", status_code=303, headers=HEADERS)

    @app.exception_handler(CsrfRejected)
    def _csrf(request: Request, exc: CsrfRejected):
        return _error(request, 403, "Form expired", "This form could not be accepted (its security token is "
                      "missing or out of date). Nothing was changed. Reload the page and try again.")

    @app.exception_handler(SupervisorsOnly)
    def _supervisors(request: Request, exc: SupervisorsOnly):
        return _error(request, 403, "Supervisors only", "This page is for supervisors.")

    @app.exception_handler(console.TicketNotFound)
    def _no_ticket(request: Request, exc: console.TicketNotFound):
        if request.url.path.endswith(".json"):
            return JSONResponse({"detail": "no such ticket"}, status_code=404, headers=HEADERS)
        return _error(request, 404, "No such ticket", "There is no ticket here that you can open.")


@router.get("", include_in_schema=False)
@router.get("/", include_in_schema=False)
async def home(request: Request):
    await current_member(request)
    return RedirectResponse("/staff/queue", status_code=303, headers=HEADERS)


@router.get("/static/{name}", include_in_schema=False)
def static(name: str):
    if name not in STATIC_TYPES:
        return Response("not found", status_code=404, media_type="text/plain")
    return Response((STATIC / name).read_bytes(), media_type=STATIC_TYPES[name],
                    headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"})


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request):
    return _login_page(request)


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, username: str = Form(""), password: str = Form(""), csrf_token: str = Form("")):
    if not web_session.login_csrf_ok(request, csrf_token):
        raise CsrfRejected()
    try:
        session = log_in(request.app.state.uow_factory(), username, password, clock.now(),
                         web_session.client_address(request))
    except LoginLocked as exc:
        until = exc.until.astimezone(_zone(request)).strftime("%H:%M")
        if exc.by_address:
            return _login_page(request, "Too many failed logins from your network address. For your security, "
                                        f"please wait and try again after {until}.", 429)
        return _login_page(request, f"Too many failed logins for this username. Try again after {until}.", 429)
    except LoginFailed:
        return _login_page(request, "Wrong username or password. After 5 failed logins within 15 minutes the "
                                    "username is locked for 15 minutes.", 401)
    response = RedirectResponse("/staff/queue", status_code=303, headers=HEADERS)
    web_session.set_cookie(request, response, SESSION_COOKIE, session.token, int(SESSION_MAX.total_seconds()))
    web_session.clear_cookie(request, response, LOGIN_COOKIE)
    return response


@router.post("/logout")
def logout(request: Request, member: StaffMember = Depends(checked_member)):
    log_out(request.app.state.uow_factory(), request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/staff/login", status_code=303, headers=HEADERS)
    web_session.clear_cookie(request, response, SESSION_COOKIE)
    return response


@router.get("/queue", response_class=HTMLResponse)
def queue_page(request: Request, member: StaffMember = Depends(current_member)):
    view = console.queue(request.app.state.uow_factory(), member, clock.now(), _key(request))
    return _render(request, "staff/queue.html", "Queue", member, view=view)


@router.get("/tickets/{ticket_id}", response_class=HTMLResponse)
def ticket_page(request: Request, ticket_id: int, notice: str = "", member: StaffMember = Depends(current_member)):
    ticket = console.detail(request.app.state.uow_factory(), ticket_id, member, clock.now(), _key(request))
    return _render(request, "staff/ticket.html", f"Ticket {ticket_id}", member, ticket=ticket,
                   notice=NOTICES.get(notice), last_id=ticket.messages[-1].id if ticket.messages else 0)


@router.get("/tickets/{ticket_id}/messages.json")
async def ticket_messages(request: Request, ticket_id: int, after: int = 0,
                          member: StaffMember = Depends(current_member)):
    """New lines of the ticket after message ``after`` (the console polls this every 2 seconds)."""
    poll = await run_in_threadpool(console.poll, request.app.state.uow_factory(), ticket_id, member, after,
                                   clock.now(), _conversations(request))
    return JSONResponse({"status": poll.status, "live": poll.live, "resume_pending": poll.resume_pending,
                         "messages": [m.as_json() for m in poll.messages]}, headers=HEADERS)


@router.post("/tickets/{ticket_id}/claim")
def claim(request: Request, ticket_id: int, member: StaffMember = Depends(checked_member)):
    return _step(request, ticket_id, "claimed", console.claim, request.app.state.uow_factory(), ticket_id, member,
                 clock.now())


@router.post("/tickets/{ticket_id}/reply")
def reply(request: Request, ticket_id: int, text: str = Form(""), member: StaffMember = Depends(checked_member)):
    def send(*args):
        line = console.reply(*args)
        return {console.DELIVERED: "sent", console.RECORDED: "recorded"}.get(line.delivery, "pending")

    return _step(request, ticket_id, None, send, request.app.state.uow_factory(), ticket_id, member, text,
                 clock.now(), _conversations(request))


@router.post("/tickets/{ticket_id}/messages/{message_id}/retry")
def retry(request: Request, ticket_id: int, message_id: int, member: StaffMember = Depends(checked_member)):
    def send(*args):
        return "sent" if console.retry_delivery(*args).delivery == console.DELIVERED else "pending"

    return _step(request, ticket_id, None, send, request.app.state.uow_factory(), ticket_id, message_id, member,
                 clock.now(), _conversations(request))


@router.post("/tickets/{ticket_id}/hand-back")
def hand_back(request: Request, ticket_id: int, member: StaffMember = Depends(checked_member)):
    def act(*args):
        return "handed_back" if console.hand_back(*args) else "resume_pending"

    return _step(request, ticket_id, None, act, request.app.state.uow_factory(), ticket_id, member, clock.now(),
                 _conversations(request))


@router.post("/tickets/{ticket_id}/close")
def close(request: Request, ticket_id: int, note: str = Form(""), member: StaffMember = Depends(checked_member)):
    def act(*args):
        return "closed" if console.close(*args) else "resume_pending"

    return _step(request, ticket_id, None, act, request.app.state.uow_factory(), ticket_id, member, note,
                 clock.now(), _conversations(request))


@router.post("/tickets/{ticket_id}/resume")
def resume(request: Request, ticket_id: int, member: StaffMember = Depends(checked_member)):
    def act(*args):
        return "handed_back" if console.retry_resume(*args) else "resume_pending"

    return _step(request, ticket_id, None, act, request.app.state.uow_factory(), ticket_id, member,
                 _conversations(request))


UNLOCK_NOTICES = {
    "unlocked": ("ok", "Unlocked: the case (or booking) can be checked again at once. Your unlock is recorded below."),
    "not_locked": ("ok", "It was not locked; the unlock is recorded anyway and clears its earlier failed attempts."),
    "invalid": ("error", "Nothing was unlocked: give a case number (like EZ2026-0042) or a booking code "
                         "(like K7MQ-2XHT)."),
}


@router.get("/unlocks", response_class=HTMLResponse)
def unlocks_page(request: Request, notice: str = "", member: StaffMember = Depends(current_member)):
    """Lift a case's guessing lock after checking the applicant's passport at the counter; the audit list."""
    records = unlocks.recent_unlocks(request.app.state.uow_factory())
    return _render(request, "staff/unlocks.html", "Unlock a case", member, records=records,
                   notice=UNLOCK_NOTICES.get(notice))


@router.post("/unlocks")
def unlock_case(request: Request, reference: str = Form(""), member: StaffMember = Depends(checked_member)):
    try:
        result = unlocks.unlock(request.app.state.uow_factory(), member, reference[:40], clock.now())
        notice = "unlocked" if result.was_locked_until else "not_locked"
    except unlocks.NotACaseOrCode:
        notice = "invalid"
    return RedirectResponse(f"/staff/unlocks?notice={notice}", status_code=303, headers=HEADERS)


@router.get("/ledger", response_class=HTMLResponse)
def ledger_page(request: Request, period: str = "7d", member: StaffMember = Depends(supervisor)):
    settings = request.app.state.settings
    try:
        report = ledger_report(request.app.state.uow_factory(), period, clock.now(), settings.timezone)
    except UnknownPeriod:
        return RedirectResponse("/staff/ledger?period=7d", status_code=303, headers=HEADERS)
    return _render(request, "staff/ledger.html", "Demand ledger", member, report=report, periods=list(PERIODS))


@router.get("/ledger.csv")
def ledger_csv(request: Request, period: str = "30d", member: StaffMember = Depends(supervisor)):
    """The ledger's rows for a period as CSV (UTC times, ISO 8601), for the hall's own records."""
    try:
        report = ledger_report(request.app.state.uow_factory(), period, clock.now(),
                               request.app.state.settings.timezone)
    except UnknownPeriod:
        return JSONResponse({"detail": f"period is one of: {', '.join(PERIODS)}"}, status_code=422, headers=HEADERS)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["ticket", "requester", "reason", "received_at", "claimed_at", "first_response_at",
                     "resolved_at", "outcome", "minutes_to_first_response"])
    for row in report.rows:
        wait = row.time_to_first_response
        writer.writerow([row.ticket_id, row.requester, row.reason_label] +
                        [t.isoformat() if t else "" for t in (row.received_at, row.claimed_at,
                                                               row.first_response_at, row.resolved_at)] +
                        [row.outcome or "open", f"{wait.total_seconds() / 60:.1f}" if wait else ""])
    return Response(out.getvalue(), media_type="text/csv", headers={
        **HEADERS, "Content-Disposition": f'attachment; filename="demand-ledger-{period}.csv"'})


def _step(request: Request, ticket_id: int, notice: Optional[str], action, *args) -> Response:
    """Run a console action and come back to the ticket page with a notice (POST-redirect-GET)."""
    try:
        result = action(*args)
        notice = notice or result
    except console.EmptyText:
        notice = "empty"
    except console.NotYourTicket:
        notice = "not_yours"
    except rules.InvalidTransition as exc:
        notice = "taken" if exc.step == "claimed" else "invalid"
    return RedirectResponse(f"/staff/tickets/{ticket_id}?notice={notice}", status_code=303, headers=HEADERS)


def _conversations(request: Request):
    state = request.app.state
    conversations = getattr(state, "rasa_conversations", None)
    if conversations is None:
        from bot import wiring

        conversations = state.rasa_conversations = wiring.rasa_conversations()
    return conversations


def _key(request: Request) -> bytes:
    """The secret key the tickets' contacts are sealed with."""
    return secret_key(request.app.state.settings)


def _zone(request: Request) -> ZoneInfo:
    return ZoneInfo(request.app.state.settings.timezone)


def _render(request: Request, template: str, title: str, member: Optional[StaffMember], status: int = 200,
            **context: Any) -> HTMLResponse:
    zone = _zone(request)
    html = request.app.state.templates.get_template(template).render(
        title=title, member=member, local=lambda moment: moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        if moment else "-", duration=rules.format_duration, rate=rules.format_rate, **context)
    return HTMLResponse(html, status_code=status, headers=HEADERS)


def _login_page(request: Request, message: Optional[str] = None, status: int = 200) -> HTMLResponse:
    token = web_session.new_login_token()
    response = _render(request, "staff/login.html", "Staff login", None, status, message=message, csrf_token=token)
    web_session.set_cookie(request, response, LOGIN_COOKIE, token, 3600)
    return response


def _error(request: Request, status: int, title: str, message: str) -> HTMLResponse:
    return _render(request, "staff/error.html", title, None, status, message=message)

