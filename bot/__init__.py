"""The gateway: the only public surface (web chat, health; later Telegram, console)."""
