"""Appointment downloads: the .ics calendar file of a booking, behind its confirmation code."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from bot.db.uow import UnitOfWork
from bot.kb.base import KnowledgeBase
from bot.services.bookings import BookingNotFound, calendar_file, get_booking

router = APIRouter()
# The code in the address is the only secret: keep it out of caches and indexes (and referrers:
# the app's security headers send none).
PRIVATE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}


def knowledge_base(request: Request) -> KnowledgeBase:
    return request.app.state.knowledge.get().kb


def unit_of_work(request: Request) -> UnitOfWork:
    return request.app.state.uow_factory()


@router.get("/bookings/{code}.ics")
def booking_calendar(request: Request, code: str, uow: UnitOfWork = Depends(unit_of_work)):
    """The booking as an iCalendar file; 404 for unknown or malformed codes (checked before any query)."""
    try:
        booking = get_booking(uow, code)
    except BookingNotFound:
        html = request.app.state.templates.get_template("error.html").render(
            title="Booking not found",
            message="There is no booking at this address. Check the link, or ask the assistant for your booking.")
        return HTMLResponse(html, status_code=404, headers=PRIVATE)
    content = calendar_file(booking, knowledge_base(request))
    # media type alone: Starlette adds "; charset=utf-8" to text/ types (naming it too said it twice)
    return Response(content, media_type="text/calendar", headers={
        **PRIVATE, "Content-Disposition": f'attachment; filename="appointment-{booking.code}.ics"'})
