"""Tracker snapshots (JSON files in tests/actions/trackers/) for action tests."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from rasa_sdk import Tracker

TRACKERS = Path(__file__).resolve().parent / "trackers"


def tracker(name: str, *, slots: dict[str, Any] | None = None, **latest: Any) -> Tracker:
    """Load ``trackers/<name>.json``; ``slots`` and ``latest`` override parts of it."""
    data = json.loads((TRACKERS / f"{name}.json").read_text("utf-8"))
    data["slots"].update(slots or {})
    message = copy.deepcopy(data["latest_message"])
    message.update(latest)
    return Tracker(
        data["sender_id"],
        data["slots"],
        message,
        data["events"],
        data["paused"],
        data["followup_action"],
        data["active_loop"],
        data["latest_action_name"],
    )
