"""The booking code step with real mail: the code e-mail and the calendar e-mail go through a real
aiosmtpd server on a free loopback port, and the code is read from the stored .eml as a person would."""
import datetime as dt
import email
import re
from email import policy

import icalendar
import pytest

from bot import wiring
from bot.integrations.mail import MailNotSent, SmtpMailer
from bot.ops.mail_server import start_mail_server
from bot.services import bookings, vault
from bot.services.booking_holds import chat as hold_chat
from bot.services.booking_schedule import BookingTools
from bot.services.bookings import BookingRequest
from bot.services.keys import secret_key
from tests.integration.test_mail import free_port

NOW = dt.datetime(2026, 11, 22, 2, 0, tzinfo=dt.timezone.utc)  # 10:00 in Beijing, Sunday
WEDNESDAY = dt.date(2026, 12, 2)
ETOWN = "daxing_branch_etown_foreigners_hall"
LENA = BookingRequest("residence_permit", ETOWN, WEDNESDAY, dt.time(10, 30), "Lena Hoffmann", "E12345634",
                      "lena.hoffmann@example.com", "+86 138 0013 8000")


@pytest.fixture
def mail(tmp_path):
    port = free_port()
    controller = start_mail_server(tmp_path / "mail", "127.0.0.1", port)
    yield port, tmp_path / "mail"
    controller.stop()


@pytest.fixture
def tools(loaded, mail):
    port, _ = mail
    return BookingTools(wiring.uow_factory(), wiring.booking_config(), wiring.knowledge_cache().get(),
                        secret_key(loaded), "https://permits.example",
                        SmtpMailer("127.0.0.1", port, "Assistant <no-reply@permits.example>"), wiring.hold_policy())


def messages(directory):
    return [email.message_from_bytes(f.read_bytes(), policy=policy.default) for f in sorted(directory.glob("*.eml"))]


def test_the_code_from_the_eml_confirms_and_the_second_eml_carries_the_calendar(tools, mail, loaded):
    _, directory = mail
    placed = hold_chat.hold_and_send(tools, LENA, "conv-mail", "203.0.113.7", NOW)
    [first] = messages(directory)
    assert first["To"] == "lena.hoffmann@example.com" and "Wednesday 2 December 2026" in first["Subject"]
    body = first.get_body(("plain",)).get_content()
    code = re.search(r"one-time code is: (\d{6})", body).group(1)
    assert "10:15 (Beijing time)" in body  # 15 minutes after 10:00
    assert placed.booking.code not in first.as_string() and not list(first.iter_attachments())
    vault.stash(tools.uow_factory(), tools.secret, "conv-mail", hold_chat.VAULT_FIELD, code, NOW)
    booking, mailed = hold_chat.confirm_and_send(tools, "conv-mail", NOW + dt.timedelta(minutes=5))
    assert mailed and booking.status == "booked"
    first_again, second = messages(directory)
    assert booking.code in second["Subject"] and booking.code in second.get_body(("plain",)).get_content()
    [attachment] = list(second.iter_attachments())
    assert attachment.get_filename() == f"appointment-{booking.code}.ics"
    event = icalendar.Calendar.from_ical(attachment.get_content()).walk("VEVENT")[0]
    assert str(event["status"]) == "CONFIRMED" and booking.code in str(event["uid"])
    assert bookings.get_booking(tools.uow_factory(), booking.code).status == "booked"


def test_no_mail_server_releases_the_hold_at_once(tools, mail):
    down = BookingTools(tools.uow_factory, tools.config, tools.live, tools.secret, tools.base_url,
                        SmtpMailer("127.0.0.1", free_port(), "no-reply@permits.example", timeout=2), tools.holds)
    with pytest.raises(MailNotSent):
        hold_chat.hold_and_send(down, LENA, "conv-down", None, NOW)
    free = bookings.availability(tools.uow_factory(), tools.config, "residence_permit", ETOWN, WEDNESDAY, NOW)
    assert next(s for s in free.slots if s.time == dt.time(10, 30)).booked == 0
