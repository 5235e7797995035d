"""``python -m pes.appointments``: the command line of ``pes/appointments/cli.py``."""

import sys

from pes.appointments.cli import main

sys.exit(main())
