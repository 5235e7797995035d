"""The scale test runs only when asked: `make test-scale` sets PES_SCALE_TEST=1."""

from __future__ import annotations

import os

import pytest

ENABLED = os.environ.get("PES_SCALE_TEST") == "1"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "scale: several Rasa replicas on PostgreSQL and Redis (make test-scale)"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip = pytest.mark.skip(reason="scale test: run it with `make test-scale`")
    for item in items:
        if item.get_closest_marker("scale") and not ENABLED:
            item.add_marker(skip)
