"""Mail through a real aiosmtpd server on a free loopback port: the .eml it keeps is the message sent."""
from __future__ import annotations

import email
import socket
from email import policy

import pytest

from bot.config import Settings
from bot.integrations.mail import Attachment, Mail, MailNotSent, SmtpMailer, smtp_mailer
from bot.ops import runner
from bot.ops.mail_server import start_mail_server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def mail_server(tmp_path):
    port = free_port()
    controller = start_mail_server(tmp_path / "mail", "127.0.0.1", port)
    yield port, tmp_path / "mail"
    controller.stop()


def stored(directory):
    files = sorted(directory.glob("*.eml"))
    return files, [email.message_from_bytes(f.read_bytes(), policy=policy.default) for f in files]


def test_a_message_with_an_attachment_is_kept_as_one_eml_file(mail_server):
    port, directory = mail_server
    settings = Settings(smtp_port=port, smtp_from="Assistant <no-reply@example.org>")
    calendar = b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
    smtp_mailer(settings).send(Mail("lena@example.com", "Your appointment – confirmed", "Hello, Lena.\nSee you.",
                                    (Attachment("appointment.ics", "text/calendar", calendar, (("method", "PUBLISH"),)),)))
    files, messages = stored(directory)
    assert len(files) == 1 and not list(directory.glob("*.part"))
    message = messages[0]
    assert message["To"] == "lena@example.com" and message["From"] == "Assistant <no-reply@example.org>"
    assert message["Subject"] == "Your appointment – confirmed"
    assert "Hello, Lena." in message.get_body(("plain",)).get_content()
    [part] = list(message.iter_attachments())
    assert part.get_filename() == "appointment.ics" and part.get_content_type() == "text/calendar"
    assert part.get_param("method") == "PUBLISH" and part.get_content() == calendar.decode()


def test_each_message_gets_its_own_file(mail_server):
    port, directory = mail_server
    mailer = SmtpMailer("127.0.0.1", port, "no-reply@example.org")
    for n in range(3):
        mailer.send(Mail(f"person{n}@example.com", f"Message {n}", "text"))
    files, messages = stored(directory)
    assert len(files) == 3
    assert sorted(m["Subject"] for m in messages) == ["Message 0", "Message 1", "Message 2"]


def test_no_server_is_a_named_failure_without_the_recipient():
    mailer = SmtpMailer("127.0.0.1", free_port(), "no-reply@example.org", timeout=2)
    with pytest.raises(MailNotSent) as caught:
        mailer.send(Mail("secret.person@example.com", "Subject", "text"))
    assert "secret.person" not in str(caught.value)


def test_the_runner_waits_for_the_mail_servers_greeting(mail_server):
    port, _ = mail_server
    assert runner._answers(f"smtp://127.0.0.1:{port}")
    assert not runner._answers(f"smtp://127.0.0.1:{free_port()}")
