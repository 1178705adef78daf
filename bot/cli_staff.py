"""`python -m bot staff ...`: console accounts. Passwords come from a prompt or ETOWN_STAFF_PASSWORD,
never from the command line (it would stay in the shell history and the process list)."""
from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import Optional

from bot.config import get_settings

PASSWORD_ENV = "ETOWN_STAFF_PASSWORD"


class PasswordUnavailable(Exception):
    """No password could be read: no terminal to prompt on and ETOWN_STAFF_PASSWORD unset, or the two entries differ."""


def add_staff_commands(sub) -> None:
    """Add the `staff` command group to the top-level subparsers."""
    staff = sub.add_parser("staff", help="staff console accounts").add_subparsers(dest="staff_command", required=True)
    add = staff.add_parser("add", help=f"create an account (password from a prompt or {PASSWORD_ENV})")
    add.add_argument("username")
    add.add_argument("--role", choices=("staff", "supervisor"), default="staff")
    add.set_defaults(func=cmd_staff_add)
    password = staff.add_parser("password", help=f"set a new password (prompt or {PASSWORD_ENV}); ends its sessions")
    password.add_argument("username")
    password.set_defaults(func=cmd_staff_password)
    for name, active in (("disable", False), ("enable", True)):
        command = staff.add_parser(name, help=f"{name} an account" + ("; ends its sessions" if not active else ""))
        command.add_argument("username")
        command.set_defaults(func=cmd_staff_active, active=active)
    staff.add_parser("list", help="list the accounts").set_defaults(func=cmd_staff_list)


def read_password(environ=os.environ, prompt=getpass.getpass, interactive: Optional[bool] = None) -> str:
    """The password from ETOWN_STAFF_PASSWORD, else typed twice at a prompt."""
    if environ.get(PASSWORD_ENV):
        return environ[PASSWORD_ENV]
    if interactive is None:
        interactive = sys.stdin.isatty()
    if not interactive:
        raise PasswordUnavailable(f"no terminal to ask for the password: set {PASSWORD_ENV}")
    first = prompt("Password: ")
    if first != prompt("Repeat the password: "):
        raise PasswordUnavailable("the two passwords differ")
    return first


def cmd_staff_add(args: argparse.Namespace) -> int:
    from bot.domain.staff import InvalidStaffAccount
    from bot.services.staff_auth import StaffExists, add_staff

    try:
        account = add_staff(_uow(), args.username, read_password(), args.role)
    except (InvalidStaffAccount, StaffExists, PasswordUnavailable) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"Staff account '{account.username}' ({account.role}) created. It can log in at "
          f"{get_settings().resolved_public_base_url}/staff")
    return 0


def cmd_staff_password(args: argparse.Namespace) -> int:
    from bot.domain.staff import InvalidStaffAccount
    from bot.services.staff_auth import StaffNotFound, set_password

    try:
        set_password(_uow(), args.username, read_password())
    except (InvalidStaffAccount, StaffNotFound, PasswordUnavailable) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"New password set for '{args.username.strip().lower()}'; its open sessions have ended.")
    return 0


def cmd_staff_active(args: argparse.Namespace) -> int:
    from bot.domain.staff import InvalidStaffAccount
    from bot.services.staff_auth import StaffNotFound, set_active

    try:
        set_active(_uow(), args.username, args.active)
    except (InvalidStaffAccount, StaffNotFound) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"Account '{args.username.strip().lower()}' {'enabled' if args.active else 'disabled'}.")
    return 0


def cmd_staff_list(args: argparse.Namespace) -> int:
    from bot.services.staff_auth import list_staff

    accounts = list_staff(_uow())
    if not accounts:
        print("No staff accounts yet: create one with `python -m bot staff add USERNAME --role supervisor`.")
    for account in accounts:
        last = account.last_login_at.strftime("%Y-%m-%d %H:%M UTC") if account.last_login_at else "never"
        print(f"{account.username:32} {account.role:10} {'active' if account.active else 'disabled':8} "
              f"last login {last}")
    return 0


def _uow():
    from bot.db import migrate
    from bot.db.engine import session_factory_for
    from bot.db.uow import UnitOfWork

    url = get_settings().resolved_database_url
    migrate.upgrade(url)  # accounts can be created before the first `make run`
    return UnitOfWork(session_factory_for(url))
