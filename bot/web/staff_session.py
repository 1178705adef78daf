"""Sessions, cookies and CSRF checks of the staff console (bot/web/staff.py uses these).

Cookies are HttpOnly, SameSite=Strict, limited to /staff, and Secure when the public base URL
is https. Every POST carries a CSRF token: the session's own once logged in, and before that a
random token also set in a login cookie (double submit).
"""
from __future__ import annotations

import secrets
from typing import Optional

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from bot.domain.staff import client_address as resolve_client_address
from bot.domain.staff import parse_trusted_proxies
from bot.services import clock
from bot.services.staff_auth import StaffMember, csrf_matches, member_for

SESSION_COOKIE = "etown_staff"
LOGIN_COOKIE = "etown_staff_login"
COOKIE_PATH = "/staff"
# Pages of the console: never cached, never framed, no inline script, nothing loaded from elsewhere.
HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
                               "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
}


class NotLoggedIn(Exception):
    """No live session: pages redirect to the login form, the JSON endpoint answers 401."""


class CsrfRejected(Exception):
    """A POST without the right CSRF token (403, nothing changed)."""


class SupervisorsOnly(Exception):
    """A page for supervisors (403)."""


def secure_cookies(request: Request) -> bool:
    return request.app.state.settings.resolved_public_base_url.startswith("https://")


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: Optional[int] = None) -> None:
    response.set_cookie(name, value, max_age=max_age, path=COOKIE_PATH, httponly=True, samesite="strict",
                        secure=secure_cookies(request))


def clear_cookie(request: Request, response: Response, name: str) -> None:
    response.delete_cookie(name, path=COOKIE_PATH, httponly=True, samesite="strict", secure=secure_cookies(request))


async def current_member(request: Request) -> StaffMember:
    """The logged-in staff member, or NotLoggedIn."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise NotLoggedIn()
    member = await run_in_threadpool(member_for, request.app.state.uow_factory(), token, clock.now())
    if member is None:
        raise NotLoggedIn()
    return member


async def checked_member(request: Request) -> StaffMember:
    """The logged-in member of a POST whose form carries the session's CSRF token."""
    member = await current_member(request)
    form = await request.form()
    if not csrf_matches(member.csrf_token, _field(form.get("csrf_token"))):
        raise CsrfRejected()
    return member


async def supervisor(request: Request) -> StaffMember:
    member = await current_member(request)
    if not member.supervisor:
        raise SupervisorsOnly()
    return member


def client_address(request: Request) -> str:
    """The login's client: the peer address, or the X-Forwarded-For client when the peer is one of
    the trusted proxies (ETOWN_TRUSTED_PROXIES)."""
    proxies = parse_trusted_proxies(request.app.state.settings.trusted_proxies)
    peer = request.client.host if request.client else None
    return resolve_client_address(peer, request.headers.get("x-forwarded-for"), proxies)


def new_login_token() -> str:
    return secrets.token_urlsafe(32)


def login_csrf_ok(request: Request, given: Optional[str]) -> bool:
    expected = request.cookies.get(LOGIN_COOKIE)
    return bool(expected) and csrf_matches(expected, given)


def _field(value) -> Optional[str]:
    return value if isinstance(value, str) else None
