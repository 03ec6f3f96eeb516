"""Concierge's core: the unified customer/vehicle store and everything that reads it.

Imports neither Slack nor Rasa; the front ends in ``bot/`` and the handlers in ``actions/``
sit on top of it.
"""
