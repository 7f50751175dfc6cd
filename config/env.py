"""Typed readers for the environment variables that configure a deployment.

Every setting that differs between the embedded default and production is read
here. A bad value stops start-up with a message naming the variable, rather than
being guessed at: a clinic's server that starts with the wrong database or mail
server is worse than one that does not start.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", ""})


class ConfigurationError(Exception):
    """An environment variable holds a value the tracker cannot run with."""


def _raw(name: str, environ: dict[str, str] | None) -> str | None:
    source = os.environ if environ is None else environ
    value = source.get(name)
    return None if value is None else value.strip()


def env_str(name: str, default: str | None = None, *, environ=None) -> str | None:
    value = _raw(name, environ)
    return default if value in (None, "") else value


def env_bool(name: str, default: bool, *, environ=None) -> bool:
    value = _raw(name, environ)
    if value is None:
        return default
    word = value.lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ConfigurationError(
        f"{name}={value!r} is not a yes/no value; use 1/0, true/false or on/off."
    )


def env_int(name: str, default: int, *, minimum: int | None = None, environ=None) -> int:
    value = _raw(name, environ)
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except ValueError:
        raise ConfigurationError(f"{name}={value!r} is not a whole number.") from None
    if minimum is not None and number < minimum:
        raise ConfigurationError(f"{name}={number} is below the minimum of {minimum}.")
    return number


def env_list(name: str, default: list[str], *, environ=None) -> list[str]:
    value = _raw(name, environ)
    if value is None:
        return list(default)
    items = [item.strip() for item in value.split(",")]
    if any(not item for item in items):
        raise ConfigurationError(
            f"{name}={value!r} has an empty entry; separate values with commas."
        )
    return items


def env_time_zone(name: str, default: str, *, environ=None) -> str:
    value = env_str(name, default, environ=environ)
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigurationError(
            f"{name}={value!r} is not an IANA time zone (for example Europe/London)."
        ) from None
    return value


def database_from_url(url: str, *, base_dir: Path, name: str = "DATABASE_URL") -> dict:
    """Django DATABASES entry for `sqlite:///relative/or//absolute/path` or
    `postgres://user:password@host:port/dbname`."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = unquote(parts.path)
        if parts.netloc or not path or path == "/":
            raise ConfigurationError(
                f"{name}={url!r}: write sqlite:///var/db.sqlite3 (relative) or "
                "sqlite:////abs/path/db.sqlite3 (absolute)."
            )
        # sqlite:///var/x -> "/var/x" relative to the project; sqlite:////abs -> "//abs".
        file_path = Path(path[1:]) if path.startswith("//") else base_dir / path.lstrip("/")
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(file_path),
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    if parts.scheme in ("postgres", "postgresql"):
        dbname = unquote(parts.path.lstrip("/"))
        if not dbname:
            raise ConfigurationError(f"{name}={url!r} names no database after the host.")
        try:
            port = parts.port
        except ValueError:
            raise ConfigurationError(f"{name}={url!r} has a port that is not a number.") from None
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": dbname,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(port or ""),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
        }
    raise ConfigurationError(
        f"{name}={url!r}: the scheme must be sqlite:// or postgres://, not {parts.scheme!r}."
    )


@dataclass(frozen=True)
class EmailConfig:
    backend: str
    file_path: str | None = None
    host: str = "localhost"
    port: int = 25
    user: str = ""
    password: str = ""
    use_tls: bool = False
    use_ssl: bool = False


def email_from_url(url: str, *, base_dir: Path, name: str = "EMAIL_URL") -> EmailConfig:
    """`file:///var/mail` (relative), `file:////abs/dir`, `console://`, or
    `smtp://user:password@host:port?tls=1` (`smtps://` for implicit TLS)."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        path = unquote(parts.path)
        if not path or path == "/":
            raise ConfigurationError(f"{name}={url!r} names no folder for the mail files.")
        folder = Path(path[1:]) if path.startswith("//") else base_dir / path.lstrip("/")
        return EmailConfig(
            backend="django.core.mail.backends.filebased.EmailBackend", file_path=str(folder)
        )
    if parts.scheme == "console":
        return EmailConfig(backend="django.core.mail.backends.console.EmailBackend")
    if parts.scheme in ("smtp", "smtps"):
        if not parts.hostname:
            raise ConfigurationError(f"{name}={url!r} names no mail server host.")
        try:
            port = parts.port
        except ValueError:
            raise ConfigurationError(f"{name}={url!r} has a port that is not a number.") from None
        query = parse_qs(parts.query)
        tls_words = query.get("tls", ["0"])
        if tls_words[-1].lower() not in TRUE_WORDS | FALSE_WORDS:
            raise ConfigurationError(f"{name}={url!r}: tls must be 1 or 0.")
        return EmailConfig(
            backend="django.core.mail.backends.smtp.EmailBackend",
            host=parts.hostname,
            port=port or (465 if parts.scheme == "smtps" else 25),
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            use_tls=tls_words[-1].lower() in TRUE_WORDS,
            use_ssl=parts.scheme == "smtps",
        )
    raise ConfigurationError(
        f"{name}={url!r}: the scheme must be file://, console://, smtp:// or smtps://."
    )


def redis_url(name: str, *, environ=None) -> str | None:
    value = env_str(name, None, environ=environ)
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("redis", "rediss") or not parts.hostname:
        raise ConfigurationError(
            f"{name}={value!r} is not a Redis URL such as redis://127.0.0.1:6379/0."
        )
    return value
