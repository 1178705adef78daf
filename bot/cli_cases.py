"""`python -m bot cases ...`: import a CSV, pull from the approval system, issue HR access codes."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.config import get_settings


def add_case_commands(sub) -> None:
    """Add the `cases` command group to the top-level subparsers."""
    cases = sub.add_parser("cases", help="live case status").add_subparsers(dest="cases_command", required=True)
    imp = cases.add_parser("import", help="create or update cases from a CSV file (all or nothing)")
    imp.add_argument("file", type=Path, metavar="FILE.csv")
    imp.set_defaults(func=cmd_cases_import)
    cases.add_parser("pull", help="fetch case updates from the approval system (ETOWN_APPROVAL_SYSTEM_URL)"
                     ).set_defaults(func=cmd_cases_pull)
    issue = cases.add_parser("issue-access", help="print a new HR access code for an enterprise (shown once)")
    issue.add_argument("credit_code", metavar="ENTERPRISE_CREDIT_CODE")
    issue.add_argument("name", metavar="ENTERPRISE_NAME")
    issue.set_defaults(func=cmd_cases_issue_access)


def cmd_cases_import(args: argparse.Namespace) -> int:
    from bot.services.cases import import_cases

    return _run_import(lambda uow, kb, hasher: import_cases(uow, kb, hasher, args.file), f"{args.file}")


def cmd_cases_pull(args: argparse.Namespace) -> int:
    from bot.integrations.approval_system import CaseSourceError, make_case_source
    from bot.services.cases import pull_cases

    source = make_case_source(get_settings())  # the approval system or the local file, chosen here once
    try:
        return _run_import(lambda uow, kb, hasher: pull_cases(uow, kb, hasher, source), "the approval system")
    except CaseSourceError as exc:
        print(f"error: {exc}; nothing was changed.", file=sys.stderr)
        return 1


def cmd_cases_issue_access(args: argparse.Namespace) -> int:
    from bot.domain.identity import InvalidCreditCode
    from bot.services.enterprise_cases import issue_access_code

    try:
        code = issue_access_code(_uow(), args.credit_code, args.name)
    except (InvalidCreditCode, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"Access code for {' '.join(args.name.split())}: {code}\n"
          "It is shown only this once: give it to the enterprise's HR contact over a secure channel. "
          "Issuing a new code replaces this one.")
    return 0


def _run_import(run, what: str) -> int:
    from bot.kb.errors import KnowledgeBaseNotLoaded
    from bot.services import knowledge
    from bot.services.cases import CaseImportError
    from bot.services.keys import SecretKeyMissing, case_hasher

    settings = get_settings()
    try:
        kb = knowledge.read(_uow())
        summary = run(_uow(), kb, case_hasher(settings))
    except (KnowledgeBaseNotLoaded, SecretKeyMissing) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except CaseImportError as exc:
        print(f"error: nothing was imported from {what}; {len(exc.problems)} problem"
              f"{'s' if len(exc.problems) != 1 else ''}:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    stale = f", {summary.stale} ignored as older than the stored status" if summary.stale else ""
    print(f"Cases from {what}: {summary.created} created, {summary.updated} updated, "
          f"{summary.unchanged} unchanged{stale}.")
    return 0


def _uow():
    from bot.db.engine import session_factory_for
    from bot.db.uow import UnitOfWork

    return UnitOfWork(session_factory_for(get_settings().resolved_database_url))
