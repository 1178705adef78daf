"""``python -m bot.rasa_server run ...``: Rasa's own ``rasa run``, with the HTTP API's JWT secret
handed over inside the process.

``rasa run --jwt-secret <secret>`` would put the secret on the command line, where ``ps`` and
/proc/<pid>/cmdline show it to every user of the machine. Here the secret is read from the
environment (ETOWN_RASA_JWT_SECRET, which the runner and the container set; in development the
secret file, see bot/integrations/rasa_api.py) and appended to the arguments Rasa's command line
parses in this process; the process's own command line never holds it. Every other argument is
passed to ``rasa run`` unchanged. The Rasa speed-ups (bot/rasa_speedups.py) are installed first.
"""
from __future__ import annotations

import sys
from typing import List, Optional

SECRET_OPTION = "--jwt-secret"


class SecretOnCommandLine(SystemExit):
    """The JWT secret was given as an argument, where it would be visible to other users."""


def rasa_arguments(argv: List[str], secret: str) -> List[str]:
    """The ``rasa`` arguments for ``argv`` (which must start with ``run``): argv, then the secret."""
    if not argv or argv[0] != "run":
        raise SystemExit("usage: python -m bot.rasa_server run [rasa run options, without --jwt-secret]")
    if any(arg == SECRET_OPTION or arg.startswith(SECRET_OPTION + "=") for arg in argv):
        raise SecretOnCommandLine(f"{SECRET_OPTION} is read from ETOWN_RASA_JWT_SECRET; do not pass it as an argument")
    return [*argv, SECRET_OPTION, secret]


def main(argv: Optional[List[str]] = None) -> None:
    """Run ``rasa run`` with ``argv`` (default: this process's arguments) and the configured secret."""
    from bot.config import get_settings
    from bot.integrations.rasa_api import JwtSecretMissing, jwt_secret

    try:
        secret = jwt_secret(get_settings())
    except JwtSecretMissing as missing:
        raise SystemExit(f"The Rasa server cannot start: {missing}") from None
    arguments = rasa_arguments(list(sys.argv[1:] if argv is None else argv), secret)
    from bot import rasa_cli

    sys.argv = ["rasa", *arguments]  # what Rasa's argparse reads; /proc/<pid>/cmdline stays as started
    rasa_cli.main()  # the speed-ups, then Rasa's own command line


if __name__ == "__main__":
    main()
