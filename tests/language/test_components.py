"""The sentence encoder's thread count when serving (docs/performance.md: one per replica)."""

from __future__ import annotations

import pytest

from language.components import serving_threads
from pes.settings import from_env


def test_a_serving_replica_runs_the_encoder_on_one_thread() -> None:
    env: dict[str, str] = {}
    serving_threads(from_env({}).rasa.e5_threads, env)
    assert env["OMP_NUM_THREADS"] == "1"


def test_e5_threads_and_an_explicit_openmp_setting_win() -> None:
    env: dict[str, str] = {}
    serving_threads(from_env({"E5_THREADS": "2"}).rasa.e5_threads, env)
    assert env["OMP_NUM_THREADS"] == "2"
    explicit = {"OMP_NUM_THREADS": "4"}
    serving_threads(from_env({"E5_THREADS": "2"}).rasa.e5_threads, explicit)
    assert explicit["OMP_NUM_THREADS"] == "4"


@pytest.mark.parametrize("raw", ["0", "two", "-1"])
def test_a_wrong_thread_count_is_named(raw: str) -> None:
    with pytest.raises(ValueError, match="E5_THREADS"):
        _ = from_env({"E5_THREADS": raw}).rasa
