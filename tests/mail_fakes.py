"""A stand-in for bot.integrations.mail's SMTP mailer at the boundary: keeps what was sent, and can be
'down' (raising MailNotSent)."""
from __future__ import annotations

import re
from typing import List

from bot.integrations.mail import Mail, MailNotSent

CODE_LINE = re.compile(r"one-time code is: (\d{6})")


class RecordingMailer:
    def __init__(self):
        self.sent: List[Mail] = []
        self.down = False

    def send(self, mail: Mail) -> None:
        if self.down:
            raise MailNotSent("the SMTP server did not answer (test)")
        self.sent.append(mail)

    def last_code(self) -> str:
        """The one-time code of the latest code e-mail."""
        return next(m for m in (CODE_LINE.search(mail.text) for mail in reversed(self.sent)) if m).group(1)


def install(monkeypatch, wiring) -> RecordingMailer:
    """Make bot.wiring.mailer() return a RecordingMailer for the test."""
    box = RecordingMailer()

    def mailer():
        return box

    mailer.cache_clear = lambda: None  # wiring.configure() clears the real one's cache
    monkeypatch.setattr(wiring, "mailer", mailer)
    return box
