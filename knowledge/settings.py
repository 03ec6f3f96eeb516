"""All configuration, read once at the entry point.

Order: the process environment first, then ``.env`` (python-dotenv with ``override=False``,
so a real environment variable always wins). Every variable is documented in
``.env.example``. Secrets are held here and never logged: ``Settings.__repr__`` masks them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TypeVar

from dotenv import load_dotenv

from knowledge.errors import ConfigError

SECRET_FIELDS = frozenset(
    {"slack_bot_token", "slack_signing_secret", "slack_app_token", "nlu_token"}
)


@dataclass(frozen=True)
class Settings:
    var_dir: Path = Path("var")
    database_url: str = ""
    default_phone_region: str = "DE"
    # Language understanding (the Rasa NLU server, reached only over HTTP on loopback).
    nlu_url: str = "http://127.0.0.1:5005"
    nlu_token: str = field(default="", repr=False)
    nlu_timeout_s: float = 2.0
    nlu_confidence_threshold: float = 0.6
    # Conversation memory.
    conversation_idle_minutes: int = 30
    # Playbook.
    touch_limit: int = 3
    playbook_dir: Path | None = None
    # Slack.
    slack_bot_token: str = field(default="", repr=False)
    slack_signing_secret: str = field(default="", repr=False)
    slack_app_token: str = field(default="", repr=False)
    slack_api_url: str = "https://slack.com/api/"
    slack_http_port: int = 3000
    log_level: str = "INFO"

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.var_dir / 'concierge.sqlite'}"

    def require(self, *names: str) -> None:
        """Fail fast, naming every missing secret, before anything starts."""
        missing = [n.upper() for n in names if not getattr(self, n)]
        if missing:
            raise ConfigError(
                f"missing setting(s): {', '.join(missing)} — set them in the environment or "
                ".env (see .env.example)"
            )


def _get(name: str, default: str) -> str:
    return os.environ.get(name, default).strip()


T = TypeVar("T", int, float)


def _number(name: str, default: T, kind: type[T]) -> T:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return kind(raw.strip())
    except ValueError:
        raise ConfigError(f"{name} must be a {kind.__name__}, got {raw!r}") from None


def load_settings(env_file: str | Path | None = ".env") -> Settings:
    if env_file is not None and Path(env_file).is_file():
        load_dotenv(env_file, override=False)
    playbook_dir = _get("CONCIERGE_PLAYBOOK_DIR", "")
    return Settings(
        var_dir=Path(_get("CONCIERGE_VAR_DIR", "var")),
        database_url=_get("DATABASE_URL", ""),
        default_phone_region=_get("CONCIERGE_PHONE_REGION", "DE").upper(),
        nlu_url=_get("NLU_URL", "http://127.0.0.1:5005").rstrip("/"),
        nlu_token=_get("NLU_TOKEN", ""),
        nlu_timeout_s=_number("NLU_TIMEOUT_S", 2.0, float),
        nlu_confidence_threshold=_number("NLU_CONFIDENCE_THRESHOLD", 0.6, float),
        conversation_idle_minutes=_number("CONVERSATION_IDLE_MINUTES", 30, int),
        touch_limit=_number("CONCIERGE_TOUCH_LIMIT", 3, int),
        playbook_dir=Path(playbook_dir) if playbook_dir else None,
        slack_bot_token=_get("SLACK_BOT_TOKEN", ""),
        slack_signing_secret=_get("SLACK_SIGNING_SECRET", ""),
        slack_app_token=_get("SLACK_APP_TOKEN", ""),
        slack_api_url=_get("SLACK_API_URL", "https://slack.com/api/"),
        slack_http_port=_number("SLACK_HTTP_PORT", 3000, int),
        log_level=_get("LOG_LEVEL", "INFO").upper(),
    )


def describe(settings: Settings) -> dict[str, str]:
    """Settings as text for diagnostics, with every secret masked."""
    out: dict[str, str] = {}
    for f in fields(settings):
        value = getattr(settings, f.name)
        out[f.name] = ("***" if value else "") if f.name in SECRET_FIELDS else str(value)
    return out
