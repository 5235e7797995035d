"""Custom actions of the PES assistant, one module per feature.

``rasa run actions --actions actions`` imports every submodule of this package
and registers each concrete ``Action`` subclass it finds.
"""
