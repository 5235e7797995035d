"""Custom actions of the PES assistant, one module per feature.

``rasa run actions --actions actions`` imports every module listed here.
"""

from actions import language, offices, programmes

__all__ = ["language", "offices", "programmes"]
