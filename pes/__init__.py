"""Small shared library of the PES assistant: data files, pseudonymisation."""
