"""The staff console through the real app: login, CSRF, lockout, roles, escaping, and a whole handoff."""
import re

import pytest
from fastapi.testclient import TestClient

from bot.db import migrate
from bot.db.engine import session_factory_for
from bot.db.uow import UnitOfWork
from bot.services import clock
from bot.services import handoff
from bot.services.staff_auth import add_staff
from bot.web.app import create_app
from tests.handoff_fakes import RecordingConversations

PASSWORD = "a long enough password"
XSS = '<script>alert("x")</script>'


@pytest.fixture
def console_settings(settings):
    migrate.upgrade(settings.resolved_database_url)
    return settings.copy(update={"staff_hours": "00:00-24:00", "staff_every_day": True})


def uow(settings):
    return UnitOfWork(session_factory_for(settings.resolved_database_url))


@pytest.fixture
def rasa():
    return RecordingConversations()


@pytest.fixture
def app(console_settings, rasa):
    for name, role in (("lena", "staff"), ("wang", "staff"), ("boss", "supervisor")):
        add_staff(uow(console_settings), name, PASSWORD, role)
    application = create_app(console_settings)
    application.state.rasa_conversations = rasa
    return application


def client_for(app, base_url="http://testserver") -> TestClient:
    return TestClient(app, base_url=base_url)


def csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def log_in(client: TestClient, username: str, password: str = PASSWORD):
    form = client.get("/staff/login")
    return client.post("/staff/login", data={"username": username, "password": password,
                                             "csrf_token": csrf(form.text)}, follow_redirects=False)


def logged_in(app, username: str) -> TestClient:
    client = client_for(app)
    assert log_in(client, username).status_code == 303
    return client


def open_ticket(settings, conversation="web-conv", text="I need a person", **extra) -> int:
    return handoff.open_ticket(uow(settings), conversation_id=conversation, reason="asked_for_human",
                               transcript=[{"who": "user", "text": text, "at": clock.now().isoformat()}],
                               slots={"service": "work_permit"}, now=clock.now(), settings=settings,
                               **extra).ticket_id


def page_token(client: TestClient, path: str = "/staff/queue") -> str:
    return csrf(client.get(path).text)


def test_without_a_session_pages_redirect_to_login_and_the_poll_answers_401(app, console_settings):
    client = client_for(app)
    ticket = open_ticket(console_settings)
    for path in ("/staff", "/staff/queue", f"/staff/tickets/{ticket}", "/staff/ledger"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/staff/login", path
    assert client.get(f"/staff/tickets/{ticket}/messages.json").status_code == 401
    response = client.post(f"/staff/tickets/{ticket}/claim", data={"csrf_token": "x"}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/staff/login"
    client.cookies.set("etown_staff", "forged-token", path="/staff")
    assert client.get("/staff/queue", follow_redirects=False).status_code == 303


def test_login_sets_a_strict_http_only_cookie_and_logout_ends_the_session(app):
    client = client_for(app)
    form = client.get("/staff/login")
    assert "httponly" in form.headers["set-cookie"].lower() and "samesite=strict" in form.headers["set-cookie"].lower()
    assert form.headers["content-security-policy"].startswith("default-src 'self'")
    response = log_in(client, "Lena")  # usernames are not case-sensitive
    assert response.status_code == 303 and response.headers["location"] == "/staff/queue"
    cookie = [c for c in response.headers.get_list("set-cookie") if c.startswith("etown_staff=")][0].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/staff" in cookie and "secure" not in cookie
    queue = client.get("/staff/queue")
    assert queue.status_code == 200 and "lena (staff)" in queue.text
    assert client.post("/staff/logout", data={"csrf_token": csrf(queue.text)}, follow_redirects=False).status_code == 303
    token = queue.request.headers["cookie"]
    again = client_for(app)
    again.headers["cookie"] = token  # the old cookie no longer opens anything
    assert again.get("/staff/queue", follow_redirects=False).status_code == 303


def test_cookies_are_secure_behind_https(console_settings, rasa):
    add_staff(uow(console_settings), "lena", PASSWORD, "staff")
    app = create_app(console_settings.copy(update={"public_base_url": "https://permits.example.org"}))
    client = client_for(app, "https://testserver")
    response = log_in(client, "lena")
    cookie = [c for c in response.headers.get_list("set-cookie") if c.startswith("etown_staff=")][0].lower()
    assert "secure" in cookie


def test_wrong_passwords_lock_the_username_across_restarts(app, console_settings):
    client = client_for(app)
    for _ in range(4):
        response = log_in(client, "lena", "wrong password here")
        assert response.status_code == 401 and "Wrong username or password" in response.text
    assert log_in(client, "nobody", "wrong password here").status_code == 401  # unknown: the same answer
    assert log_in(client, "lena", "wrong password here").status_code == 429
    restarted = client_for(create_app(console_settings))
    locked = log_in(restarted, "lena")  # the right password is refused while locked
    assert locked.status_code == 429 and "Too many failed logins" in locked.text
    assert log_in(restarted, "wang").status_code == 303  # other accounts are not affected


def test_login_needs_its_csrf_token(app):
    client = client_for(app)
    client.get("/staff/login")
    for token in (None, "", "forged"):
        data = {"username": "lena", "password": PASSWORD}
        if token is not None:
            data["csrf_token"] = token
        response = client.post("/staff/login", data=data, follow_redirects=False)
        assert response.status_code == 403 and "etown_staff=" not in response.headers.get("set-cookie", "")
    fresh = client_for(app)  # a token from the page but no login cookie (another site's form)
    token = csrf(client.get("/staff/login").text)
    fresh.cookies.clear()
    assert fresh.post("/staff/login", data={"username": "lena", "password": PASSWORD, "csrf_token": token},
                      follow_redirects=False).status_code == 403


@pytest.mark.parametrize("action,data", [("claim", {}), ("reply", {"text": "hi"}), ("hand-back", {}),
                                         ("close", {"note": "done"})])
def test_every_form_needs_the_sessions_csrf_token(app, console_settings, rasa, action, data):
    ticket = open_ticket(console_settings)
    lena = logged_in(app, "lena")
    if action != "claim":
        lena.post(f"/staff/tickets/{ticket}/claim", data={"csrf_token": page_token(lena)})
    before = lena.get(f"/staff/tickets/{ticket}").text
    for token in (None, "wrong-token"):
        form = dict(data, **({"csrf_token": token} if token else {}))
        response = lena.post(f"/staff/tickets/{ticket}/{action}", data=form, follow_redirects=False)
        assert response.status_code == 403 and "Nothing was changed" in response.text
    other = logged_in(app, "wang")  # another session's token does not work either
    response = lena.post(f"/staff/tickets/{ticket}/{action}", data=dict(data, csrf_token=page_token(other)))
    assert response.status_code == 403
    assert rasa.sent() == []
    assert re.sub(r"waiting [^)]*", "", lena.get(f"/staff/tickets/{ticket}").text) == re.sub(r"waiting [^)]*", "", before)


def test_what_a_person_wrote_is_shown_escaped(app, console_settings, rasa):
    ticket = open_ticket(console_settings, text=f"Hi {XSS}")
    lena = logged_in(app, "lena")
    assert lena.post(f"/staff/tickets/{ticket}/claim", data={"csrf_token": page_token(lena)}).status_code == 200
    rasa.user_says("web-conv", f"again <img src=x onerror=alert(1)> {XSS}", clock.now().timestamp() + 1)
    poll = lena.get(f"/staff/tickets/{ticket}/messages.json?after=0").json()
    assert poll["live"] and poll["messages"][-1]["text"].endswith(XSS)  # JSON carries text; the page sets textContent
    page = lena.get(f"/staff/tickets/{ticket}").text
    assert XSS not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert lena.get(f"/staff/tickets/{ticket}").headers["content-security-policy"].find("script-src 'self'") >= 0


def test_a_whole_handoff_claim_reply_hand_back(app, console_settings, rasa):
    ticket = open_ticket(console_settings)
    lena = logged_in(app, "lena")
    queue = lena.get("/staff/queue").text
    assert f'/staff/tickets/{ticket}/claim' in queue and "asked for a person" in queue
    page = lena.post(f"/staff/tickets/{ticket}/claim", data={"csrf_token": page_token(lena)})
    assert "You hold this conversation now" in page.text
    assert handoff.active_ticket(uow(console_settings), "web-conv").held
    page = lena.post(f"/staff/tickets/{ticket}/reply", data={"csrf_token": page_token(lena), "text": "Hello from the hall"})
    assert "Reply delivered" in page.text
    assert rasa.sent() == [("send_staff_message", "web-conv", "Hello from the hall")]
    page = lena.post(f"/staff/tickets/{ticket}/hand-back", data={"csrf_token": page_token(lena)})
    assert "Handed back" in page.text and rasa.sent()[-1] == ("hand_back", "web-conv")
    assert handoff.active_ticket(uow(console_settings), "web-conv") is None


def test_a_reply_rasa_did_not_take_is_kept_and_can_be_retried(app, console_settings, rasa):
    ticket = open_ticket(console_settings)
    lena = logged_in(app, "lena")
    lena.post(f"/staff/tickets/{ticket}/claim", data={"csrf_token": page_token(lena)})
    rasa.down = True
    page = lena.post(f"/staff/tickets/{ticket}/reply", data={"csrf_token": page_token(lena), "text": "Are you there?"})
    assert "Not delivered yet" in page.text and "not delivered yet" in page.text and "Are you there?" in page.text
    retry = re.search(r'action="(/staff/tickets/\d+/messages/\d+/retry)"', page.text).group(1)
    assert lena.get(f"/staff/tickets/{ticket}/messages.json").json()["live"] is False
    page = lena.post(f"/staff/tickets/{ticket}/close", data={"csrf_token": page_token(lena), "note": "Solved."})
    assert "cannot be reached to resume" in page.text and "has not resumed this conversation" in page.text
    rasa.down = False
    assert "Reply delivered" in lena.post(retry, data={"csrf_token": page_token(lena)}).text
    page = lena.post(f"/staff/tickets/{ticket}/resume", data={"csrf_token": page_token(lena)})
    assert "Handed back" in page.text and "has not resumed" not in page.text
    assert rasa.sent() == [("send_staff_message", "web-conv", "Are you there?"), ("hand_back", "web-conv")]


def test_empty_replies_and_notes_change_nothing(app, console_settings, rasa):
    ticket = open_ticket(console_settings)
    lena = logged_in(app, "lena")
    lena.post(f"/staff/tickets/{ticket}/claim", data={"csrf_token": page_token(lena)})
    for form in ({"text": "   "}, {"text": "x" * 5000}, {"text": "\x00"}):
        page = lena.post(f"/staff/tickets/{ticket}/reply", data=dict(form, csrf_token=page_token(lena)))
        assert page.status_code == 200 and "Nothing was sent" in page.text
    page = lena.post(f"/staff/tickets/{ticket}/close", data={"csrf_token": page_token(lena), "note": ""})
    assert "Nothing was sent" in page.text and handoff.active_ticket(uow(console_settings), "web-conv").held
    assert rasa.sent() == []
    assert lena.get("/staff/tickets/99999").status_code == 404
    assert lena.get("/staff/tickets/not-a-number").status_code == 422


def test_roles_staff_see_their_own_supervisors_see_everything_and_the_ledger(app, console_settings, rasa):
    ticket = open_ticket(console_settings)
    lena, wang, boss = logged_in(app, "lena"), logged_in(app, "wang"), logged_in(app, "boss")
    lena.post(f"/staff/tickets/{ticket}/claim", data={"csrf_token": page_token(lena)})
    page = wang.post(f"/staff/tickets/{ticket}/claim", data={"csrf_token": page_token(wang)})
    assert page.status_code == 404  # held by lena: wang cannot open it
    assert wang.get(f"/staff/tickets/{ticket}").status_code == 404
    assert wang.get(f"/staff/tickets/{ticket}/messages.json").status_code == 404
    assert "Held by other staff" not in wang.get("/staff/queue").text
    assert wang.get("/staff/ledger").status_code == 403 and lena.get("/staff/ledger").status_code == 403
    overview = boss.get("/staff/queue").text
    assert "Held by other staff (1)" in overview and "lena" in overview
    lena.post(f"/staff/tickets/{ticket}/reply", data={"csrf_token": page_token(lena), "text": "Hello"})
    ledger = boss.get("/staff/ledger?period=today")
    assert ledger.status_code == 200
    assert re.search(r'id="fig-received">1<', ledger.text) and re.search(r'id="fig-response-rate">100%<', ledger.text)
    assert re.search(r'id="fig-completion-rate">0%<', ledger.text)
    assert boss.get("/staff/ledger?period=<script>", follow_redirects=False).status_code == 303
    page = boss.post(f"/staff/tickets/{ticket}/close", data={"csrf_token": page_token(boss), "note": "Taken over."})
    assert "Closed with your resolution note" in page.text and "Taken over." in page.text


def test_the_console_script_and_style_are_served(app):
    client = client_for(app)
    script = client.get("/staff/static/console.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith("application/javascript")
    assert "textContent" in script.text and "innerHTML" not in script.text
    assert client.get("/staff/static/console.css").status_code == 200
    assert client.get("/staff/static/..%2Fstaff.py").status_code == 404


def test_supervisors_download_the_ledger_as_csv(app, console_settings, rasa):
    import csv
    import io

    ticket = open_ticket(console_settings)
    lena, boss = logged_in(app, "lena"), logged_in(app, "boss")
    lena.post(f"/staff/tickets/{ticket}/claim", data={"csrf_token": page_token(lena)})
    lena.post(f"/staff/tickets/{ticket}/reply", data={"csrf_token": page_token(lena), "text": "Hello"})
    assert lena.get("/staff/ledger.csv").status_code == 403
    assert client_for(app).get("/staff/ledger.csv").status_code == 401
    response = boss.get("/staff/ledger.csv?period=7d")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 1 and rows[0]["ticket"] == str(ticket) and rows[0]["outcome"] == "open"
    assert rows[0]["claimed_at"] and rows[0]["first_response_at"] and not rows[0]["resolved_at"]
    assert float(rows[0]["minutes_to_first_response"]) >= 0
    assert boss.get("/staff/ledger.csv?period=forever").status_code == 422


def behind(app, peer: str) -> TestClient:
    """A client whose connection comes from ``peer`` (the TestClient's own peer is "testclient")."""
    async def with_peer(scope, receive, send):
        scope = dict(scope, client=(peer, 40000)) if scope["type"] == "http" else scope
        await app(scope, receive, send)
    return TestClient(with_peer)


def test_many_failures_from_one_address_lock_it_politely_for_any_username(app, console_settings):
    app.state.settings = console_settings.copy(update={"trusted_proxies": "10.0.0.5"})
    proxy = behind(app, "10.0.0.5")
    proxy.headers["X-Forwarded-For"] = "198.51.100.1"
    for i in range(19):
        assert log_in(proxy, f"guess{i}", "wrong password here").status_code == 401
    locked = log_in(proxy, "lena", "wrong password here")
    assert locked.status_code == 429 and "Too many failed logins from your network address" in locked.text
    assert "lena" not in locked.text and "username" not in locked.text.split("<form")[0]
    assert log_in(proxy, "lena").status_code == 429  # the right password too, from that client
    restarted = behind(create_app(app.state.settings), "10.0.0.5")  # stored: a restart does not unlock
    restarted.headers["X-Forwarded-For"] = "198.51.100.1"
    assert log_in(restarted, "wang").status_code == 429
    proxy.headers["X-Forwarded-For"] = "198.51.100.2"  # another client behind the same proxy
    assert log_in(proxy, "lena").status_code == 303


def test_a_forwarded_header_from_an_untrusted_peer_changes_nothing(app):
    direct = behind(app, "203.0.113.9")
    for i in range(20):  # a new "client" in every header: all count against the peer
        direct.headers["X-Forwarded-For"] = f"198.51.100.{i + 1}"
        log_in(direct, f"guess{i}", "wrong password here")
    assert log_in(direct, "lena").status_code == 429


def test_a_call_back_contact_is_masked_in_the_queue_and_whole_on_the_ticket_for_its_holder(app, console_settings):
    from bot.services.keys import secret_key

    ticket = open_ticket(console_settings, "night-conv", contact="Lena.H@Example.com", question="Fees?",
                         key=secret_key(console_settings))
    lena, boss = logged_in(app, "lena"), logged_in(app, "boss")
    queue = lena.get("/staff/queue").text
    assert "L•••@example.com" in queue and "Lena.H@example.com" not in queue
    assert "Lena.H@example.com" not in lena.get(f"/staff/tickets/{ticket}").text  # not claimed yet: masked
    page = lena.post(f"/staff/tickets/{ticket}/claim", data={"csrf_token": page_token(lena)})
    assert "Lena.H@example.com" in page.text  # the holder calls back
    assert "Lena.H@example.com" in boss.get(f"/staff/tickets/{ticket}").text
    assert "example.com" not in boss.get("/staff/ledger.csv?period=7d").text


def test_a_contact_that_does_not_open_shows_unreadable_not_an_error(app, console_settings):
    from bot.db.models import HandoffTicket
    from bot.services.keys import secret_key

    ticket = open_ticket(console_settings, "night-conv", contact="+86 138 1234 5678", question="Fees?",
                         key=secret_key(console_settings))
    with uow(console_settings) as unit:
        unit.session.get(HandoffTicket, ticket).contact = "gAAAAAdamaged"
        unit.commit()
    boss = logged_in(app, "boss")
    assert "call back unreadable" in boss.get("/staff/queue").text
    page = boss.get(f"/staff/tickets/{ticket}")
    assert page.status_code == 200 and "<dd>unreadable</dd>" in page.text


def test_staff_unlock_a_case_from_the_console_with_csrf_and_an_audit_list(app, console_settings):
    from bot.db.models import VerificationUnlock
    from sqlalchemy import select

    client = logged_in(app, "lena")
    page = client.get("/staff/unlocks")
    assert page.status_code == 200 and "No unlocks yet" in page.text and 'href="/staff/unlocks"' in page.text
    refused = client.post("/staff/unlocks", data={"reference": "EZ2026-0042", "csrf_token": "wrong"})
    assert refused.status_code == 403
    done = client.post("/staff/unlocks", data={"reference": "ez2026-0042", "csrf_token": csrf(page.text)},
                       follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/staff/unlocks?notice=not_locked"
    bad = client.post("/staff/unlocks", data={"reference": XSS, "csrf_token": csrf(page.text)})
    assert "Nothing was unlocked" in bad.text and XSS not in bad.text
    listed = client.get("/staff/unlocks").text
    assert re.search(r"<td>EZ2026-0042</td><td>lena</td>", listed)
    with uow(console_settings) as u:
        assert [row.case_number for row in u.session.execute(select(VerificationUnlock)).scalars()] == ["EZ2026-0042"]
    assert client_for(app).get("/staff/unlocks", follow_redirects=False).status_code == 303  # login first
