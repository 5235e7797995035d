"""A Rasa replica's settings, read once by whichever of our classes Rasa builds first.

Rasa has no entry point of ours: it builds the REST channel from
credentials.yml and the tracker and lock stores from endpoints.yml, before it
loads the model. Each of them asks ``replica()``; the first call reads the
settings (``pes/settings/``) and sets up what the model's components and the
NLG take from the process: the translator (``TRANSLATION_*``) and the sentence
encoder's threads (``E5_THREADS``, before OpenMP starts on the first message),
and logs which languages the translation provider covers.
"""

from __future__ import annotations

from functools import lru_cache

from language import translation
from language.components import serving_threads
from language.translation.coverage import log_coverage
from pes.settings import Settings, settings


@lru_cache(maxsize=1)
def replica() -> Settings:
    """The replica's settings; the first call configures the translator and encoder threads."""
    config = settings()
    translation.configure(config.translation)
    log_coverage(translation.default())  # one line: the languages the provider covers
    serving_threads(config.rasa.e5_threads)
    return config
