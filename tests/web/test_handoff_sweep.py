"""The web app's handoff sweep: started with the app, expiring unclaimed live chats, surviving a failed
round, stopped with the app; and what the console shows of expired and erased tickets."""
import datetime as dt
import re
import time

from fastapi.testclient import TestClient

from bot.services import clock
from bot.services.handoff_lifecycle import purge_old
from tests.web.test_staff_console import (app, console_settings, logged_in, open_ticket, rasa,  # noqa: F401
                                          uow)

LATER = dt.timedelta(minutes=25)  # past the default time-out of 20 minutes


def wait_for(condition, attempts=400):
    """Poll ``condition`` (no wall-clock assertion: a bounded number of short sleeps)."""
    for _ in range(attempts):
        if condition():
            return True
        time.sleep(0.05)
    return False


class FailsOnce:
    """The Rasa client of the app, failing the first call with an unexpected error."""

    def __init__(self, inner):
        self.inner, self.failed = inner, False

    def __getattr__(self, name):
        def call(*args):
            if not self.failed:
                self.failed = True
                raise RuntimeError("an unexpected failure (test)")
            return getattr(self.inner, name)(*args)
        return call


def test_the_sweep_runs_with_the_app_survives_a_failed_round_and_stops_with_it(  # noqa: F811
        app, console_settings, rasa):  # noqa: F811
    app.state.settings = console_settings.copy(update={"handoff_sweep_seconds": 0.05})
    app.state.rasa_conversations = FailsOnce(rasa)
    sweeper = app.state.handoff_sweeper
    sweeper.now = lambda: clock.now() + LATER
    ticket = open_ticket(console_settings)
    with TestClient(app):
        task = app.state.handoff_sweep_task
        assert wait_for(lambda: ("expire_handoff", "web-conv") in rasa.sent())
        assert not task.done()  # the failed first round did not end it
    assert task.cancelled() and app.state.handoff_sweep_task is None
    with uow(console_settings) as unit:
        assert (unit.tickets.get(ticket).status, unit.tickets.get(ticket).resume_pending) == ("expired", False)


def test_the_sweep_is_off_with_zero_seconds(app, console_settings):  # noqa: F811
    app.state.settings = console_settings.copy(update={"handoff_sweep_seconds": 0})
    with TestClient(app):
        assert getattr(app.state, "handoff_sweep_task", None) is None


def test_supervisors_see_an_expired_ticket_in_the_ledger_and_its_page(app, console_settings, rasa):  # noqa: F811
    ticket = open_ticket(console_settings)
    app.state.handoff_sweeper.now = lambda: clock.now() + LATER
    report = app.state.handoff_sweeper.run_once()
    assert report.expired == [ticket] and rasa.sent() == [("expire_handoff", "web-conv")]
    boss = logged_in(app, "boss")
    ledger = boss.get("/staff/ledger?period=today").text
    assert re.search(r'id="fig-expired">1<', ledger) and re.search(r'id="fig-response-rate">0%<', ledger)
    page = boss.get(f"/staff/tickets/{ticket}").text
    assert 'id="ticket-status">expired' in page and "Nobody claimed this live chat in time" in page
    # an expired ticket cannot be claimed any more
    queue = boss.get("/staff/queue").text
    assert f'/staff/tickets/{ticket}/claim' not in queue


def test_an_erased_ticket_page_says_so_and_shows_no_transcript(app, console_settings):  # noqa: F811
    ticket = open_ticket(console_settings, text="My passport was stolen, what now?")
    app.state.handoff_sweeper.now = lambda: clock.now() + LATER
    app.state.handoff_sweeper.run_once()
    assert purge_old(uow(console_settings), console_settings, clock.now() + dt.timedelta(days=91)) == 1
    page = logged_in(app, "boss").get(f"/staff/tickets/{ticket}").text
    assert 'id="purged-note"' in page and "My passport was stolen" not in page
