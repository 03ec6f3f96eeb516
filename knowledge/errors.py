"""Errors that reach the user as one clear line (the CLI prints ``str(error)`` and exits 2)."""


class ConciergeError(Exception):
    """Base of every error whose message is meant for the person at the keyboard."""


class ConfigError(ConciergeError):
    """A setting is missing or malformed."""


class StoreUnavailable(ConciergeError):
    """The database cannot be reached."""


class SchemaMismatch(ConciergeError):
    """The database schema is not the revision this code expects."""


class InvalidInput(ConciergeError):
    """Input the user gave cannot be used; nothing was changed."""


class AccessDenied(ConciergeError):
    """The caller may not see or do this."""
