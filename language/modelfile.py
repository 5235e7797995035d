"""Saving and loading a component's scikit-learn objects inside a Rasa model, and ``create``.

skops instead of pickle: loading cannot run arbitrary code. The model files
are made by ``rasa train`` on the operator's own machine, so every type found
in one is trusted; models from elsewhere must not be loaded.
"""

from __future__ import annotations

from typing import Any

import skops.io
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from typing_extensions import Self


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


class StoredComponent:
    """Mixin for the graph components that are built from their config, the model storage
    and their resource alone: Rasa's ``create`` and ``load`` written once (each component says how it is restored) (listed before
    ``GraphComponent`` in the bases, so it is the one Rasa calls)."""

    def __init__(
        self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource
    ) -> None:
        raise NotImplementedError  # each component has its own

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> Self:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> Self:
        return cls.restore(config, model_storage, resource)

    @classmethod
    def restore(
        cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource
    ) -> Self:
        """The component as ``rasa train`` saved it in ``resource`` (``load``'s work)."""
        raise NotImplementedError
