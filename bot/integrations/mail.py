"""Outbound e-mail over SMTP (settings: ETOWN_SMTP_*), chosen once in bot.wiring.

In development and tests the SMTP server is the local one `make run` starts (bot.ops.mail_server),
which keeps every message as an .eml file under var/mail/. In production it is a real relay, with
STARTTLS and a login where it asks for them.
"""
from __future__ import annotations

import smtplib
import ssl
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Optional, Protocol, Tuple

from bot.config import Settings


class MailNotSent(Exception):
    """The SMTP server could not be reached or refused the message; nothing was delivered."""


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # "text/calendar"
    data: bytes
    params: Tuple[Tuple[str, str], ...] = ()  # extra Content-Type parameters, e.g. (("method", "PUBLISH"),)


@dataclass(frozen=True)
class Mail:
    """One plain-text message to one address."""

    to: str
    subject: str
    text: str
    attachments: Tuple[Attachment, ...] = ()


class Mailer(Protocol):
    def send(self, mail: Mail) -> None:
        """Hand ``mail`` to the mail system, or raise MailNotSent."""


class SmtpMailer:
    """Sends through one SMTP server per message (a connection is not kept between messages)."""

    def __init__(self, host: str, port: int, sender: str, user: Optional[str] = None,
                 password: Optional[str] = None, starttls: bool = False, timeout: float = 10.0):
        self.host, self.port, self.sender = host, port, sender
        self.user, self.password, self.starttls, self.timeout = user, password, starttls, timeout

    def send(self, mail: Mail) -> None:
        message = build_message(mail, self.sender)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.user:
                    smtp.login(self.user, self.password or "")
                smtp.send_message(message)
        except (smtplib.SMTPException, OSError) as exc:
            # The reason names the server, never the recipient or the content.
            raise MailNotSent(f"SMTP {self.host}:{self.port}: {type(exc).__name__}") from None


def build_message(mail: Mail, sender: str) -> EmailMessage:
    """The MIME message: a UTF-8 text part and the attachments."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(idstring=uuid.uuid4().hex[:12], domain=_domain(sender))
    message.set_content(mail.text)
    for item in mail.attachments:
        maintype, subtype = item.content_type.split("/", 1)
        message.add_attachment(item.data, maintype=maintype, subtype=subtype, filename=item.filename,
                               params=dict(item.params))
    return message


def smtp_mailer(settings: Settings) -> SmtpMailer:
    """The mailer the settings describe."""
    return SmtpMailer(settings.smtp_host, settings.smtp_port, settings.smtp_from, settings.smtp_user,
                      settings.smtp_password, settings.smtp_starttls, settings.smtp_timeout)


def _domain(sender: str) -> str:
    address = sender.rsplit("<", 1)[-1].rstrip(">").strip()
    return address.rpartition("@")[2] or "localhost"
