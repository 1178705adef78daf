"""The wording of the booking holds: the two e-mails and what the chat says at the code step.

The first e-mail carries only the one-time code. The calendar file comes in a second e-mail once the
code is typed: the .ics holds the booking code (its UID and description), which the applicant gets
only after confirming, and a tentative event would stay in a calendar after the hold ran out.
"""
from __future__ import annotations

import datetime as dt

from bot.domain import booking_chat as chat
from bot.domain.booking_details import Booking
from bot.domain.booking_holds.rules import LimitKind
from bot.domain.bookings import BEIJING
from bot.integrations.mail import Attachment, Mail
from bot.services.booking_calendar import calendar_file, what_to_bring
from bot.services.booking_holds.holds import PlacedHold
from bot.services.booking_schedule import BookingTools

SIGNATURE = "Beijing E-Town permits assistant"


def beijing_clock(utc_naive: dt.datetime) -> str:
    """"14:05" in Beijing time, from a naive UTC moment."""
    return f"{utc_naive.replace(tzinfo=dt.timezone.utc).astimezone(BEIJING):%H:%M}"


def appointment_line(tools: BookingTools, booking: Booking) -> str:
    return (f"{tools.service_name(booking.service_id)}: {chat.day_text(booking.day)} at {booking.time:%H:%M}, "
            f"{tools.hall_name(booking.hall_id)} ({tools.hall_address(booking.hall_id)})")


def code_mail(tools: BookingTools, placed: PlacedHold) -> Mail:
    """The e-mail with the one-time code (no booking code, no calendar file: nothing is booked yet)."""
    booking = placed.booking
    text = "\n".join([
        "Hello,",
        "",
        f"Your one-time code is: {placed.code}",
        "",
        "Type it in the chat with the assistant to confirm this appointment:",
        appointment_line(tools, booking) + ".",
        "",
        f"The place is held for you until {beijing_clock(placed.expires_at)} (Beijing time). Without the code "
        "by then, the place is released and nothing is booked.",
        "If you did not ask for this appointment, ignore this e-mail: nothing will be booked.",
        "",
        SIGNATURE,
    ])
    return Mail(booking.email, f"Your code to confirm the appointment on {chat.day_text(booking.day)}", text)


def calendar_mail(tools: BookingTools, booking: Booking) -> Mail:
    """The e-mail sent once the code confirmed the booking: the booking code, and the .ics attached."""
    lines = ["Hello,", "", f"Your appointment is booked. Your confirmation code is {booking.code}.",
             appointment_line(tools, booking) + "."]
    documents = what_to_bring(tools.kb, booking.service_id, booking.day)
    if documents:
        lines += ["", "Please bring:", *(f"- {name}" for name in documents),
                  "Your full checklist may list more documents, depending on your situation."]
    lines += ["", "The calendar file is attached; it is also at " + tools.calendar_link(booking.code),
              "With the confirmation code and the passport number you can cancel or move the appointment "
              "in the chat.", "", SIGNATURE]
    attachment = Attachment(f"appointment-{booking.code}.ics", "text/calendar", calendar_file(booking, tools.kb),
                            (("method", "PUBLISH"),))
    return Mail(booking.email, f"Appointment confirmed: {chat.day_text(booking.day)} at {booking.time:%H:%M} "
                f"({booking.code})", "\n".join(lines), (attachment,))


# -- chat ---------------------------------------------------------------------------------

def held_text(tools: BookingTools, placed: PlacedHold) -> str:
    booking = placed.booking
    return (f"I'm holding {booking.time:%H:%M} on {chat.day_text(booking.day)} at {tools.hall_name(booking.hall_id)} "
            f"for you. To confirm it, type here the 6-digit code I sent to {chat.mask_email(booking.email)}. "
            f"Without it, the place is released at {beijing_clock(placed.expires_at)} (in "
            f"{tools.holds.minutes} minutes) and nothing is booked.")


def wrong_code_text(left: int) -> str:
    return (f"That is not the code I sent. {left} {'try' if left == 1 else 'tries'} left; after that the "
            "place is released.")


NOT_A_CODE = "Please type the 6-digit code from the e-mail (for example 123456), or say “stop” to cancel."
EXPIRED = ("The time to confirm has run out, so I released the place and nothing was booked. Say “book an "
           "appointment” to start again.")
ABANDONED = ("That code was wrong too many times, so I released the place and nothing was booked. Say “book an "
             "appointment” to start again.")
NO_HOLD = "No appointment is waiting for a code any more. Say “book an appointment” to start again."
MAIL_FAILED = ("I could not send the e-mail with the code just now, so nothing was booked and the place is free "
               "again. Please try again in a few minutes.")


def limit_text(kind: LimitKind, limit: int) -> str:
    """Why no hold was placed: the limit of open bookings reached."""
    who = {"client": "from this connection", "email": "for this e-mail address",
           "phone": "for this phone number"}[kind]
    return (f"There are already {limit} appointments (booked or waiting for their code) {who}, which is the most "
            "I can hold at once, so nothing was booked. To change one of them instead, say “reschedule my "
            "appointment” and give its confirmation code; a hold that is not confirmed is released after "
            "its time runs out.")
