"""Live updates for open console pages, over Server-Sent Events (``/console/events``).

The stream only says that something changed (``changed``) or that a case came
in (``new_case``); the page then fetches its ``/live`` fragment again, through
the same session checks as any page. A comment every 15 seconds keeps proxies
from closing the stream; the session is checked again every minute and the
stream ends when it has.
"""

from __future__ import annotations

import asyncio

from aiohttp import web

from bot.console.auth import Session
from bot.console.base import COOKIE, Pages, Visit, signed_in


class EventStream(Pages):
    def add_routes(self, router: web.UrlDispatcher) -> None:
        router.add_get("/console/events", self.events)

    @signed_in()
    async def events(self, request: web.Request, visit: Visit) -> web.StreamResponse:
        """Server-Sent Events: ``changed`` and ``new_case``; the page fetches what it shows."""
        session: Session | None = visit.session
        watch, sessions = self.console.watch, self.console.sessions
        token = request.cookies.get(COOKIE)
        response = web.StreamResponse(
            headers={
                "Content-Type": "text/event-stream",
                "Cache-Control": "no-store",
                "X-Accel-Buffering": "no",
            }
        )
        await response.prepare(request)
        queue = watch.subscribe()
        checked = asyncio.get_running_loop().time()
        try:
            await response.write(b"retry: 3000\n\n")
            while session is not None:
                try:
                    event = await asyncio.wait_for(queue.get(), timeout=15.0)
                except asyncio.TimeoutError:
                    await response.write(b": still here\n\n")
                    if asyncio.get_running_loop().time() - checked > 60:
                        session = await asyncio.to_thread(sessions.get, token)
                        checked = asyncio.get_running_loop().time()
                    continue
                if event == "bye":
                    break
                await response.write(f"event: {event}\ndata: 1\n\n".encode())
        except (ConnectionResetError, RuntimeError):
            pass
        finally:
            watch.unsubscribe(queue)
        return response
