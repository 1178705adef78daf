"""The command line: `python -m bot COMMAND`. See `python -m bot --help`."""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

# spaCy's thinc imports TensorFlow when it is installed (Rasa brings it); keep its start-up chatter quiet.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from bot.cli_cases import add_case_commands  # noqa: E402
from bot.cli_handoff import add_handoff_commands  # noqa: E402
from bot.cli_staff import add_staff_commands  # noqa: E402
from bot.config import PROJECT_ROOT, ConfigurationError, get_settings  # noqa: E402
from bot.kb.errors import PolicyFileInvalid  # noqa: E402


def cmd_kb_check(args) -> int:
    from bot.services import knowledge

    settings = get_settings()
    from bot.kb.booking import load_booking_config

    from bot.domain.answering.units import build_units, unknown_example_ids
    from bot.kb.questions import QUESTIONS_FILE, load_examples

    kb = knowledge.check(settings.path(settings.kb_dir))
    booking = load_booking_config(settings.path(settings.kb_dir), kb)
    examples = load_examples(settings.path(settings.kb_dir))
    units = build_units(kb, examples)
    unknown = unknown_example_ids(units, examples)
    if unknown:
        raise PolicyFileInvalid(QUESTIONS_FILE, "names no fact unit (see README: how answers are found)",
                                entry=unknown[0])
    print(f"Knowledge base OK: {len(kb.services)} services, {len(kb.halls)} halls "
          f"({len(booking.halls)} bookable), "
          f"{len(kb.countries)} countries, {sum(len(s.materials) for s in kb.services.values())} materials, "
          f"{len(units.units)} fact units ({sum(map(len, examples.values()))} example questions) "
          f"(checksum {kb.checksum[:12]}).")
    return 0


def cmd_kb_load(args) -> int:
    from bot.ops.setup import prepare

    report = prepare(get_settings())
    state = "loaded as a new revision" if report.kb_changed else "unchanged"
    print(f"Knowledge base {state} (revision {report.kb_revision}: {report.services} services, "
          f"{report.halls} halls); spaCy pipeline {'rebuilt' if report.spacy_rebuilt else 'up to date'}.")
    return 0


def cmd_db_upgrade(args) -> int:
    from bot.db import migrate

    settings = get_settings()
    migrate.upgrade(settings.resolved_database_url)
    print(f"Database schema at revision {migrate.current(settings.resolved_database_url)}.")
    return 0


def cmd_nlp_build(args) -> int:
    from bot.ops.setup import build_spacy

    settings = get_settings()
    built = build_spacy(settings, force=args.force)
    print(f"spaCy pipeline {'built' if built else 'up to date'} at {settings.path(settings.spacy_dir)}.")
    return 0


def cmd_train(args) -> int:
    from bot.ops.setup import build_spacy
    from bot.ops.training import ensure_model

    settings = get_settings()
    build_spacy(settings)
    ensure_model(settings, force=args.force)
    return 0


def cmd_widget(args) -> int:
    from bot.ops.widget import ensure_widget

    if not ensure_widget():
        print("Chat widget (rasa-webchat) is up to date.")
    return 0


def cmd_setup(args) -> int:
    cmd_kb_load(args)
    cmd_widget(args)
    args.force = False
    return cmd_train(args)


def cmd_run(args) -> int:
    from bot.ops import runner
    from bot.ops.supervisor import Supervisor
    from bot.ops.training import ensure_model

    settings = get_settings()
    settings.check()
    runner.check_ports(settings)
    cmd_kb_load(args)
    cmd_widget(args)
    model = ensure_model(settings)
    servers = runner.start(settings, model)
    replicas = ", ".join(str(p) for p in settings.rasa_ports)
    print(
        f"\nThe assistant is running ({'production' if settings.production else 'development'} mode; "
        f"Rasa on port{'s' if settings.rasa_replicas > 1 else ''} {replicas}).\n"
        f"  REST:      curl -s -XPOST http://{settings.host}:{settings.rasa_port}/webhooks/rest/webhook "
        "-H 'Content-Type: application/json' -d '{\"sender\": \"me\", \"message\": \"hello\"}'\n"
        f"  socket.io: http://{settings.host}:{settings.rasa_port}/socket.io (rasa-webchat)\n"
        f"  actions:   {runner.health_urls(settings)['actions']}\n"
        f"  chat page: {settings.resolved_public_base_url}/ (the chat widget; staff console at /staff)\n"
        "  Chat in the terminal with `make shell`. Press Ctrl-C to stop.\n", flush=True)
    signal.signal(signal.SIGTERM, _interrupt)
    supervisor = Supervisor(servers, log=lambda line: print(line, file=sys.stderr, flush=True))
    try:
        while True:  # a server that exits is started again alone; Ctrl-C or SIGTERM stops them all
            supervisor.check()
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("\nStopping...", flush=True)
    finally:
        servers.stop()
    return 0


def cmd_web(args) -> int:
    from bot.web.server import serve

    serve(get_settings())
    return 0


def cmd_actions(args) -> int:
    from bot.action_server import serve

    serve(get_settings())
    return 0


def cmd_mail(args) -> int:
    from bot.ops.mail_server import serve

    serve(get_settings())
    return 0


def cmd_endpoints(args) -> int:
    from bot.ops import runner

    settings = get_settings()
    target = runner.write_endpoints(settings, Path(args.output).resolve() if args.output else None)
    print(f"Rasa endpoints written to {target} (secrets stay in the environment: "
          f"{', '.join(sorted(runner.secret_env(settings))) or 'none needed'}).")
    return 0


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def cmd_shell(args) -> int:
    from bot.ops import runner
    from bot.ops.training import ensure_model

    settings = get_settings()
    cmd_kb_load(args)
    model = ensure_model(settings)
    settings.check()
    runner.ensure_port_free(settings.action_host, settings.action_port, "action server, ETOWN_ACTION_PORT")
    endpoints = runner.write_endpoints(settings)
    rasa = str(Path(sys.executable).with_name("rasa"))
    env = runner.child_env(settings)
    actions = subprocess.Popen([sys.executable, "-m", "bot", "actions"],
                               cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        return subprocess.call([rasa, "shell", "--model", str(model), "--endpoints", str(endpoints)],
                               cwd=PROJECT_ROOT, env=env)
    except KeyboardInterrupt:
        return 0
    finally:
        runner.Servers([actions]).stop()


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bot", description="Beijing E-Town permits assistant")
    sub = p.add_subparsers(dest="command", required=True)
    kb = sub.add_parser("kb", help="knowledge base").add_subparsers(dest="kb_command", required=True)
    kb.add_parser("check", help="validate policies_kb/").set_defaults(func=cmd_kb_check)
    kb.add_parser("load", help="validate and load policies_kb/ into the database").set_defaults(func=cmd_kb_load)
    db = sub.add_parser("db", help="database").add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help="create or upgrade the schema (Alembic)").set_defaults(func=cmd_db_upgrade)
    nlp = sub.add_parser("nlp", help="spaCy pipeline").add_subparsers(dest="nlp_command", required=True)
    build = nlp.add_parser("build", help="build the spaCy pipeline from policies_kb/")
    build.add_argument("--force", action="store_true")
    build.set_defaults(func=cmd_nlp_build)
    train = sub.add_parser("train", help="train the Rasa model if its inputs changed")
    train.add_argument("--force", action="store_true")
    train.set_defaults(func=cmd_train)
    sub.add_parser("setup", help="database, knowledge base, spaCy pipeline, chat widget and model").set_defaults(
        func=cmd_setup)
    sub.add_parser("widget", help="install the chat widget (npm ci) if needed").set_defaults(func=cmd_widget)
    sub.add_parser("run", help="start the whole assistant").set_defaults(func=cmd_run)
    sub.add_parser("shell", help="chat with the assistant in the terminal").set_defaults(func=cmd_shell)
    sub.add_parser("web", help="serve the web app only").set_defaults(func=cmd_web)
    sub.add_parser("actions", help="serve the action server only (token-checked)").set_defaults(func=cmd_actions)
    sub.add_parser("mail", help="the development SMTP server: keeps each message under var/mail/").set_defaults(
        func=cmd_mail)
    endpoints = sub.add_parser("endpoints", help="render Rasa's endpoints file from the settings")
    endpoints.add_argument("--output", help="where to write it (default var/endpoints.yml)")
    endpoints.set_defaults(func=cmd_endpoints)
    add_case_commands(sub)
    add_staff_commands(sub)
    add_handoff_commands(sub)
    return p


def main(argv=None) -> int:
    from bot.integrations.rasa_api import JwtSecretMissing
    from bot.ops.runner import PortTaken, StartupFailed
    from bot.ops.widget import WidgetInstallFailed

    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except (PolicyFileInvalid, PortTaken, StartupFailed, ConfigurationError, WidgetInstallFailed,
            JwtSecretMissing) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except subprocess.CalledProcessError as exc:
        print(f"error: {' '.join(map(str, exc.cmd[:3]))} ... failed with exit code {exc.returncode}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
