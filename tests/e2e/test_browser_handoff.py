"""End to end in a real browser: a person chats on the public page (rasa-webchat over socket.io),
asks for a person; a staff member logs in to the console in a second browser context, claims the
conversation and replies; the person sees the reply; the staff member hands back and the bot
answers the next question. Screenshots go to tests/artifacts/.

Debian's chromium, driven by Playwright (scripts/ensure_chromium.sh installs it; Playwright never
downloads a browser). Staff hours are "open all day, every day" through Settings, so the test does
not depend on the wall clock.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT, Settings
from bot.ops import runner
from bot.ops.setup import prepare
from bot.ops.training import ensure_model
from bot.ops.widget import ensure_widget
from tests.e2e.rest_support import TEST_RATE_LIMITS, free_port

CHROMIUM = Path(os.environ.get("ETOWN_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts"
WAIT_MS = 90_000  # a loaded 2-core machine: the first answers of a fresh server can take a while
STAFF_USER, STAFF_PASSWORD = "e2e-desk", "correct horse battery staple 42"


@pytest.fixture(scope="module")
def browser_settings(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("browser")
    web_port = free_port()
    settings = Settings(database_url=f"sqlite:///{tmp / 'etown.db'}", tracker_store_url=f"sqlite:///{tmp / 'tracker.db'}",
                        rasa_port=free_port(), action_port=free_port(), web_port=web_port,
                        public_base_url=f"http://localhost:{web_port}",
                        staff_hours="00:00-24:00", staff_every_day=True, smtp_port=free_port(), mail_dir=tmp / "mail",
                        **TEST_RATE_LIMITS)
    prepare(settings)
    ensure_widget()
    return settings, tmp


@pytest.fixture(scope="module")
def servers(browser_settings):
    settings, tmp = browser_settings
    running = runner.start(settings, ensure_model(settings), log_dir=tmp / "logs")
    env = dict(runner.child_env(settings), ETOWN_STAFF_PASSWORD=STAFF_PASSWORD)
    subprocess.run([sys.executable, "-m", "bot", "staff", "add", STAFF_USER, "--role", "staff"], cwd=PROJECT_ROOT,
                   env=env, check=True, capture_output=True)
    yield settings
    running.stop()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/ensure_chromium.sh (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


def shoot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"browser-handoff-{name}.png"), full_page=True)


def bot_says(page, pattern: str, after: int = 0) -> str:
    """Wait until one of the bot's messages in the widget, after the first ``after`` ones, matches
    ``pattern`` (a regular expression); return its text."""
    regex = re.compile(pattern)
    for _ in range(WAIT_MS // 250):
        for text in page.locator(".rw-response").all_inner_texts()[after:]:
            if regex.search(text):
                return text
        page.wait_for_timeout(250)
    raise AssertionError(f"no bot message matching {pattern!r} after message {after}: "
                         f"{page.locator('.rw-response').all_inner_texts()[after:]}")


def said(page) -> int:
    """How many messages the bot side has shown so far."""
    return page.locator(".rw-response").count()


def type_message(page, text: str) -> None:
    page.locator(".rw-new-message").fill(text)
    page.locator(".rw-send").click()


def test_a_person_is_handed_to_staff_and_back(servers, browser):
    settings = servers
    base = settings.resolved_public_base_url
    problems = []

    user = browser.new_context(viewport={"width": 900, "height": 1000})
    page = user.new_page()
    # the widget's stylesheet asks for a web font from a third party; the page's policy blocks that on
    # purpose (no request leaves for another site). Anything else the policy blocks is a problem.
    page.on("console", lambda msg: problems.append(msg.text)
            if "Content Security Policy" in msg.text and "fonts.googleapis.com" not in msg.text else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(base + "/")

    # the greeting arrives over socket.io, with its quick replies drawn as buttons
    bot_says(page, "permits assistant")
    replies = page.locator(".rw-reply")
    replies.first.wait_for(timeout=WAIT_MS)
    assert replies.count() >= 3 and replies.first.get_attribute("role") == "button"
    shoot(page, "1-greeting")

    before = said(page)
    replies.filter(has_text="Residence permit fees").click()
    bot_says(page, "CNY", after=before)
    links = page.locator(".rw-conversation-container a[href^='http']")
    for index in range(links.count()):
        assert links.nth(index).get_attribute("rel") == "noopener noreferrer"
        assert links.nth(index).get_attribute("target") == "_blank"

    # a reload keeps the conversation (same session id, same Rasa room)
    session_id = page.evaluate("() => JSON.parse(localStorage.getItem('chat_session') || '{}').session_id")
    page.reload()
    bot_says(page, "CNY")
    assert page.evaluate("() => JSON.parse(localStorage.getItem('chat_session') || '{}').session_id") == session_id

    before = said(page)
    type_message(page, "I would like to talk to a real person please")
    bot_says(page, r"in the queue", after=before)
    shoot(page, "2-waiting-for-staff")

    staff = browser.new_context(viewport={"width": 1100, "height": 1000})
    console = staff.new_page()
    console.goto(base + "/staff/login")
    console.fill("input[name=username]", STAFF_USER)
    console.fill("input[name=password]", STAFF_PASSWORD)
    console.click("button[type=submit]")
    console.goto(base + "/staff/queue")
    console.locator("form[action$='/claim'] button").first.click()
    console.wait_for_url(re.compile(r"/staff/tickets/\d+"), timeout=WAIT_MS)
    assert "Residence permit fees" in console.content() or "residence permit" in console.content().lower()

    reply = f"Hello, this is the E-Town hall desk ({uuid.uuid4().hex[:6]}). Which permit is your question about?"
    before = said(page)
    console.fill("#reply-text", reply)
    console.locator("form.reply button[type=submit]").click()
    shoot(console, "3-staff-console")

    assert bot_says(page, re.escape(reply), after=before).strip().startswith("Hall staff: ")  # reaches the widget
    question = "The residence permit, for my wife and me"
    type_message(page, question)
    console.get_by_text(question).first.wait_for(timeout=WAIT_MS)  # and the person's messages reach the console
    shoot(page, "4-staff-reply-in-widget")

    before = said(page)
    console.locator("form[action$='/hand-back'] button").click()
    bot_says(page, "You're back with the assistant", after=before)

    before = said(page)
    type_message(page, "how long is a residence permit valid?")
    answer = bot_says(page, r"residence permit is valid for", after=before)  # the fact, with its source
    assert "5 years" in answer and "Source:" in answer and "last reviewed" in answer
    shoot(page, "5-bot-answers-again")

    assert not problems, problems
    staff.close()
    user.close()


def test_a_queued_person_nobody_claims_gets_the_call_back_form_after_the_time_out(servers, browser):
    import datetime as dt

    from bot.db.engine import session_factory_for
    from bot.db.models import HandoffTicket
    from bot.db.uow import UnitOfWork
    from bot.integrations.rasa_api import rasa_conversations
    from bot.services import clock
    from bot.services import vault
    from bot.services.handoff import CONTACT_PURPOSE
    from bot.services.handoff_lifecycle import sweep
    from bot.services.keys import secret_key

    settings = servers
    user = browser.new_context(viewport={"width": 900, "height": 1000})
    page = user.new_page()
    page.goto(settings.resolved_public_base_url + "/")
    bot_says(page, "permits assistant")
    before = said(page)
    type_message(page, "Can I talk to a human please?")
    bot_says(page, r"in the queue", after=before)
    type_message(page, "Is anyone there? My permit expires on Friday.")  # paused: no answer, kept for staff

    uow = UnitOfWork(session_factory_for(settings.resolved_database_url))
    before = said(page)
    # the sweep as the web app runs it, at a moment past the time-out (the test does not wait 20 minutes)
    report = sweep(uow, settings, rasa_conversations(settings), clock.now() + dt.timedelta(minutes=25))
    assert len(report.expired) == 1 and report.resumed == report.expired
    bot_says(page, "no one on the hall's staff was free", after=before)
    bot_says(page, "What would you like the staff to look at", after=before)
    shoot(page, "6-nobody-free")
    with uow:
        ticket = uow.tickets.get(report.expired[0])
        assert ticket.status == "expired"
        assert "Is anyone there? My permit expires on Friday." in [m.text for m in ticket.messages]

    before = said(page)
    type_message(page, "My work permit expires on Friday and my renewal is still pending, what can I do?")
    bot_says(page, "How can the staff reach you", after=before)
    before = said(page)
    type_message(page, "lena@example.com")
    bot_says(page, r"Your question is with the hall's staff \(request #\d+\)", after=before)
    with uow:
        call_back = uow.session.query(HandoffTicket).filter_by(status="queued", in_hours=False).one()
        assert "renewal is still pending" in call_back.question and "lena" not in call_back.contact  # sealed
        assert vault.unseal(secret_key(settings), CONTACT_PURPOSE, call_back.contact) == "lena@example.com"
    user.close()
