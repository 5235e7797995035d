"""The gateway's typed app keys: what ``create_app`` puts on the application.

A leaf module: it imports the types only for checking, so every gateway module can
take what it needs from ``app[KEY]`` without importing ``bot.app`` (which imports
them all). Tests build the app with fakes through ``create_app``'s arguments.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    import httpx

    from bot.conversation import Conversations
    from bot.delivery import Deliverer
    from bot.rasa_client import RasaClient
    from bot.telegram import TelegramChannel
    from language.catalogue import Catalogue
    from language.translation import Translator
    from pes.content import Content
    from pes.db import Database
    from pes.outbox import Outbox
    from pes.phrasebook import Phrasebook
    from pes.settings import GatewaySettings

SETTINGS: web.AppKey[GatewaySettings] = web.AppKey("settings")
RASA: web.AppKey[RasaClient] = web.AppKey("rasa")
CATALOGUE: web.AppKey[Catalogue] = web.AppKey("catalogue")
CONTENT: web.AppKey[Content] = web.AppKey("content")
TRANSLATOR: web.AppKey[Translator] = web.AppKey("translator")
HTTP: web.AppKey[httpx.AsyncClient] = web.AppKey("http")
TELEGRAM: web.AppKey[TelegramChannel] = web.AppKey("telegram")
DATABASE: web.AppKey[Database] = web.AppKey("database")
OUTBOX: web.AppKey[Outbox] = web.AppKey("outbox")
CONVERSATIONS: web.AppKey[Conversations] = web.AppKey("conversations")
DELIVERER: web.AppKey[Deliverer] = web.AppKey("deliverer")
PHRASEBOOK: web.AppKey[Phrasebook] = web.AppKey("phrasebook")
