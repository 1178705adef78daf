"""`python -m bot handoff sweep|purge`: the handoff's housekeeping from the command line (a cron job,
or when the web app's own sweep is off). See bot.services.handoff_lifecycle."""
from __future__ import annotations

import argparse

from bot.config import get_settings


def add_handoff_commands(sub) -> None:
    """Add the `handoff` command group to the top-level subparsers."""
    handoff = sub.add_parser("handoff", help="handoff housekeeping").add_subparsers(dest="handoff_command",
                                                                                  required=True)
    handoff.add_parser("sweep", help="expire live tickets nobody claimed in time, resume conversations "
                                     "waiting for the bot, and erase transcripts past retention"
                       ).set_defaults(func=cmd_handoff_sweep)
    handoff.add_parser("purge", help="erase the transcripts of tickets finished longer ago than "
                                     "ETOWN_HANDOFF_RETENTION_DAYS").set_defaults(func=cmd_handoff_purge)


def cmd_handoff_sweep(args: argparse.Namespace) -> int:
    from bot.integrations.rasa_api import rasa_conversations
    from bot.services import clock
    from bot.services.handoff_lifecycle import sweep

    settings = get_settings()
    report = sweep(_uow(), settings, rasa_conversations(settings), clock.now(settings), purge=True)
    print(f"Expired {len(report.expired)} unclaimed ticket(s); resumed {len(report.resumed)} conversation(s); "
          f"{len(report.waiting)} still wait for the assistant (it could not be reached); "
          f"erased {report.purged} old transcript(s).")
    return 1 if report.waiting else 0


def cmd_handoff_purge(args: argparse.Namespace) -> int:
    from bot.services import clock
    from bot.services.handoff_lifecycle import purge_old

    settings = get_settings()
    count = purge_old(_uow(), settings, clock.now(settings))
    print(f"Erased the transcripts of {count} ticket(s) finished more than {settings.handoff_retention_days} "
          "days ago.")
    return 0


def _uow():
    from bot.db import migrate
    from bot.db.engine import session_factory_for
    from bot.db.uow import UnitOfWork

    url = get_settings().resolved_database_url
    migrate.upgrade(url)
    return UnitOfWork(session_factory_for(url))
