"""Code that runs inside the Rasa server: stores configured from the environment.

Rasa loads it from ``credentials.yml`` (``channels.GatewayRestInput``, created
first: its ``from_credentials`` installs ``speedups``) and ``endpoints.yml``
(``stores``).
"""
