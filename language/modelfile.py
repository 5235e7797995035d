"""Saving and loading a component's scikit-learn objects inside a Rasa model.

skops instead of pickle: loading cannot run arbitrary code. The model files
are made by ``rasa train`` on the operator's own machine, so every type found
in one is trusted; models from elsewhere must not be loaded.
"""

from __future__ import annotations

from typing import Any

import skops.io
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage


def save(storage: ModelStorage, resource: Resource, name: str, objects: dict[str, Any]) -> None:
    with storage.write_to(resource) as directory:
        skops.io.dump(objects, directory / name)


def load(storage: ModelStorage, resource: Resource, name: str) -> dict[str, Any] | None:
    """The saved objects, or None when the model has none (an untrained component)."""
    try:
        with storage.read_from(resource) as directory:
            path = directory / name
            saved = skops.io.load(path, trusted=skops.io.get_untrusted_types(file=path))
    except (ValueError, FileNotFoundError):
        return None
    return dict(saved)
