"""Front ends: the Slack app, the terminal chat and the ``concierge`` command line."""
