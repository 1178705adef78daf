"""What to bring to an appointment, and the appointment as an iCalendar (.ics) file."""
from __future__ import annotations

import datetime as dt
from typing import List

import icalendar

from bot.domain.booking_details import Booking
from bot.domain.bookings import BEIJING
from bot.domain.checklist import Profile, build_checklist
from bot.kb.base import KnowledgeBase

PRODID = "-//Beijing E-Town permits assistant//Appointments//EN"
UID_DOMAIN = "bookings.etown-permits-assistant"


def what_to_bring(kb: KnowledgeBase, service_id: str, day: dt.date) -> List[str]:
    """Names of the documents every applicant brings for ``service_id`` (the ones that depend on the
    applicant's situation are left to the full checklist). ``day``: the appointment day."""
    # A hall appointment is made from inside China; the joint application lists both permits' documents.
    checklist = build_checklist(kb, Profile([service_id], location="inside_china"), day)
    return [item.name for item in checklist.items if not item.if_applies]


def calendar_file(booking: Booking, kb: KnowledgeBase) -> bytes:
    """The booking as one VEVENT in Beijing time (TZID with its VTIMEZONE). The UID comes from the
    code and SEQUENCE counts the moves, so a calendar updates the event after a reschedule; a
    cancelled booking gives STATUS:CANCELLED. No name or passport number is written."""
    hall = kb.halls.get(booking.hall_id)
    service = kb.services.get(booking.service_id)
    hall_name = hall.name if hall else booking.hall_id
    service_name = service.names.en if service else booking.service_id
    event = icalendar.Event()
    event.add("uid", f"{booking.code}@{UID_DOMAIN}")
    event.add("sequence", booking.change_count)
    event.add("dtstamp", booking.updated_at.replace(tzinfo=dt.timezone.utc))
    event.add("dtstart", booking.starts_at.replace(tzinfo=BEIJING))
    event.add("dtend", booking.ends_at.replace(tzinfo=BEIJING))
    event.add("summary", f"{service_name} appointment at {hall_name}")
    event.add("location", f"{hall_name}, {hall.address if hall and hall.address else 'address not published'}")
    event.add("description", _description(booking, kb, service_name))
    event.add("status", "CONFIRMED" if booking.is_active else "CANCELLED")
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _description(booking: Booking, kb: KnowledgeBase, service_name: str) -> str:
    lines = [f"Confirmation code: {booking.code}", f"Service: {service_name}"]
    if booking.service_id in kb.services:
        documents = what_to_bring(kb, booking.service_id, booking.day)
        if documents:
            lines += ["", "Bring:", *(f"- {name}" for name in documents)]
        lines.append("Your full checklist may list more documents, depending on your situation.")
    lines += ["", "To reschedule or cancel, ask the assistant with your confirmation code and passport number."]
    return "\n".join(lines)
