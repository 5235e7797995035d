"""Every table of the project, imported in one place (for Alembic and for tests).

A feature adds its module here when it adds tables.
"""

from pes import accounts, appointments, outbox  # noqa: F401
from pes.cases import tables  # noqa: F401
