"""Run the gateway: ``python -m bot``."""

from __future__ import annotations

import logging
import sys

from aiohttp import web

from bot.app import create_app
from common import logs
from common.datafile import ContentError
from language import translation
from pes.settings import SettingsError, settings


def main() -> int:
    logs.configure("text")
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)  # no client addresses in logs
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        config = settings().gateway
        logs.configure(config.log_format)  # LOG_FORMAT: json lines without message text
        translation.configure(config.translation)
        app = create_app(config)
    except (SettingsError, ContentError) as exc:
        print(f"gateway: {exc}", file=sys.stderr)
        return 2
    web.run_app(
        app, host=config.gateway_host, port=config.gateway_port, print=None, access_log=None
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
