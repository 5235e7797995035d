"""The action server: ``python -m actions`` is ``rasa run actions --actions actions``, made safe.

- It listens on ``ACTION_HOST`` (127.0.0.1 by default). rasa-sdk 3.6 has no
  option for the address and binds every interface (0.0.0.0) unless
  ``SANIC_HOST`` says otherwise; only Rasa needs to reach it.
- A failing action answers Rasa ``500 {"error": "action failed"}`` and is logged
  by its type and code path only. rasa-sdk's own error handler sends the whole
  request back, which is the tracker (every message of the conversation and
  the sender id), and Rasa logs that answer in full as the error's body; it
  also logs the exception's text, which may quote what the person wrote.

It takes the options of ``rasa run actions`` (``--port``, ``--actions``,
``--logging-config-file``, ``-v``, ...).
"""

from __future__ import annotations

import logging
import os
import sys
import traceback
from collections.abc import Callable
from typing import Any

from rasa_sdk import endpoint
from rasa_sdk.__main__ import main_from_args
from sanic import response
from sanic.exceptions import SanicException

from language import translation
from pes.settings import settings

logger = logging.getLogger("actions.server")


def safe_errors(create_app: Callable[..., Any]) -> Callable[..., Any]:
    """``rasa_sdk.endpoint.create_app`` with an error handler that tells nothing."""

    def create(*args: Any, **kwargs: Any) -> Any:
        app = create_app(*args, **kwargs)

        @app.exception(Exception)
        async def action_failed(request: Any, exception: Exception) -> Any:
            if isinstance(exception, SanicException):  # 404, 405, a malformed body ...
                status = int(getattr(exception, "status_code", 500) or 500)
                return response.json({"error": type(exception).__name__}, status=status)
            frames = "".join(traceback.format_tb(exception.__traceback__))
            logger.error("action failed: %s\n%s", type(exception).__name__, frames)
            return response.json({"error": "action failed"}, status=500)

        return app

    return create


def main(argv: list[str] | None = None) -> None:
    args = endpoint.create_argument_parser().parse_args(argv)
    args.actions = args.actions or "actions"
    config = settings()  # read once; a malformed setting stops the server here, named
    os.environ["SANIC_HOST"] = config.actions.host  # rasa-sdk reads the address from there
    translation.configure(config.translation)
    endpoint.create_app = safe_errors(endpoint.create_app)
    main_from_args(args)


if __name__ == "__main__":
    main(sys.argv[1:])
