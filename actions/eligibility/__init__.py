"""Eligibility in the conversation (``form.py`` asks, ``answer.py`` answers) and from the command line (``__main__.py``).

The rules engine itself is domain logic: ``pes/eligibility/``.
"""
