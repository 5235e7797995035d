"""Every table of the project, imported in one place (for Alembic and for tests).

A feature adds its module here when it adds tables.
"""

from pes import appointments, cases, outbox  # noqa: F401
