"""Tiny typed readers for environment variables.

Every secret may also come from a file: `SECRET_KEY_FILE=/run/secrets/key` wins over
`SECRET_KEY`, so secrets need not sit in the process environment.
"""

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit


def env_str(name: str, default: str = "") -> str:
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = env_str(name, "")
    if not value:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = env_str(name, "")
    return int(value) if value.strip() else default


def env_list(name: str, default: list[str]) -> list[str]:
    value = env_str(name, "")
    if not value.strip():
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def default_data_dir() -> Path:
    """Where the data lives when UNDERSIGN_DATA is not set: the user's data folder (XDG), never
    wherever the command happens to be run from."""
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "undersign"


def served_url(host: str, port: int | str) -> str:
    """The address a server listening on host:port answers at, as a link."""
    if host in {"", "0.0.0.0", "::"}:  # noqa: S104 (listening everywhere: link to this machine)
        host = "127.0.0.1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


# `undersign run` and `serve` write the public address here, so that commands run beside them
# (import, demo, the worker) print and mail links to where the site really is.
SITE_URL_FILE = "site_url"


def site_url(data_dir: Path) -> str:
    """UNDERSIGN_URL, else the address the last `run`/`serve` on this data folder served, else
    the default one."""
    url = env_str("UNDERSIGN_URL")
    if not url:
        try:
            url = (data_dir / SITE_URL_FILE).read_text(encoding="utf-8").strip()
        except OSError:
            url = ""
    return (url or "http://127.0.0.1:8000").rstrip("/")


def remember_site_url(data_dir: Path, url: str) -> None:
    path = data_dir / SITE_URL_FILE
    path.with_suffix(".tmp").write_text(url + "\n", encoding="utf-8")
    path.with_suffix(".tmp").replace(path)  # a reader never sees half a line


def email_settings(url: str) -> dict[str, object]:
    """Django mail settings from EMAIL_URL.

    `smtp://user:pass@host:port` (STARTTLS with `?tls=1`), `smtps://…` for implicit TLS,
    `console:` to print mails, empty for the console too.
    """
    if not url or url.startswith("console:"):
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    parts = urlsplit(url)
    if parts.scheme not in {"smtp", "smtps"}:
        raise ValueError(
            f"EMAIL_URL must start with smtp://, smtps:// or console: (got {parts.scheme!r})"
        )
    query = dict(item.split("=", 1) for item in parts.query.split("&") if "=" in item)
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname or "127.0.0.1",
        "EMAIL_PORT": parts.port or (465 if parts.scheme == "smtps" else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_SSL": parts.scheme == "smtps",
        "EMAIL_USE_TLS": query.get("tls", "") in {"1", "true", "yes"},
        "EMAIL_TIMEOUT": 20,
    }


def secret_key(data_dir: Path) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in the data folder."""
    key = env_str("SECRET_KEY")
    if key:
        return key
    path = data_dir / "secret_key"
    if not path.exists():
        from django.utils.crypto import get_random_string

        data_dir.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process (server or worker) made it first
            pass
        else:
            with os.fdopen(fd, "w") as f:
                f.write(get_random_string(64))
    return path.read_text(encoding="utf-8").strip()


def transit_key(data_dir: Path) -> bytes:
    """The key of the transit boxes (the address a confirmation mail still needs): 32 bytes,
    base64, from UNDERSIGN_TRANSIT_KEY[_FILE], else generated once in the data folder. Never
    in the database, so a copy of the database opens no box."""
    import base64
    import binascii
    import secrets

    value = env_str("UNDERSIGN_TRANSIT_KEY")
    if not value:
        path = data_dir / "transit_key"
        if not path.exists():
            data_dir.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:  # another process made it first
                pass
            else:
                with os.fdopen(fd, "w") as f:
                    f.write(base64.b64encode(secrets.token_bytes(32)).decode())
        value = path.read_text(encoding="utf-8").strip()
    try:
        key = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != 32:
        raise ValueError(
            "UNDERSIGN_TRANSIT_KEY must be 32 random bytes in base64 "
            "(python3 -c 'import base64,os; print(base64.b64encode(os.urandom(32)).decode())')"
        )
    return key
