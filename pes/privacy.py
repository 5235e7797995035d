"""Pseudonymous identifiers: what Rasa and the database see instead of who someone is."""

from __future__ import annotations

import hashlib
import hmac


def pseudonym(key: str, channel: str, raw_id: str) -> str:
    """A stable, keyed, one-way id for a channel's user or session id."""
    digest = hmac.new(key.encode(), f"{channel}:{raw_id}".encode(), hashlib.sha256).hexdigest()
    return f"{channel}-{digest[:32]}"
