"""The small shared leaf of the project: data files, the clock and time zone, text folding.

It imports nothing of the project; ``language``, ``pes`` and the adapters build on it
(docs/architecture.md).
"""
