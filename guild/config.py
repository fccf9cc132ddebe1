"""Configuration: defaults here, then instance/config.py, then GUILD_*/FLASK_* variables."""

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import ClassVar

from flask import Flask

from guild.remembered import DEFAULT_SIZE

# The prefecture-level cities of the province; override CITIES in instance/config.py.
DEFAULT_CITIES = (
    "杭州市",
    "宁波市",
    "温州市",
    "嘉兴市",
    "湖州市",
    "绍兴市",
    "金华市",
    "衢州市",
    "舟山市",
    "台州市",
    "丽水市",
)


class Config:
    """Defaults safe for development; production overrides via instance/config.py or env."""

    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI: str | None = None  # None: SQLite file in the instance folder
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict] = {"pool_recycle": 3600}
    SQLITE_SYNCHRONOUS = "NORMAL"  # WAL + NORMAL survives a killed process, not a power cut
    REDIS_URL: str | None = None

    BABEL_DEFAULT_LOCALE = "zh_Hans"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh_Hans", "en")

    # A two-hour exam must still submit: the CSRF token outlives it with a margin.
    WTF_CSRF_TIME_LIMIT = int(timedelta(hours=4).total_seconds())
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False  # also made Secure per request when served over HTTPS
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 (a hash method name, not a password)
    MAX_CONTENT_LENGTH = 25 * 1024 * 1024
    # The largest courseware file (video lessons are big). Only the courseware upload routes
    # raise MAX_CONTENT_LENGTH, to this plus room for the form's other fields; every other
    # request keeps the limit above. Bodies are spooled to a temporary file, never memory.
    COURSEWARE_MAX_BYTES = 500 * 1024 * 1024

    # Workers share a factory IP, so the IP limit is generous and the account limit strict.
    LOGIN_LIMIT_PER_ACCOUNT = "5 per minute;20 per hour"
    LOGIN_LIMIT_PER_IP = "60 per minute"
    # A factory signs up its workers from one address during a campaign: room for a queue.
    REGISTER_LIMIT_PER_IP = "30 per minute;600 per day"
    RATELIMIT_HEADERS_ENABLED = True
    # Session cookies and CSRF tokens each worker process remembers as verified (together
    # about 1 KB per signed-in worker): at least the workers active at once per process.
    # A campaign burst through more of them than this re-checks every signature (about
    # 0.2 ms of CPU per answer, measured by tests/benchmarks/answer_submission.py).
    SIGNED_VALUES_REMEMBERED = DEFAULT_SIZE
    PROXY_FIX_HOPS = 0  # set to the number of reverse proxies in front of the app

    CITIES = DEFAULT_CITIES
    PAGE_SIZE = 30


def load_config(app: Flask, test_config: dict | None) -> None:
    """Fill app.config from the defaults, the instance file and the environment, or a mapping."""
    app.config.from_object(Config)
    if test_config is not None:
        app.config.from_mapping(test_config)
    else:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("FLASK")
        app.config.from_prefixed_env("GUILD")
        for name in ("DATABASE_URL", "REDIS_URL"):
            if os.environ.get(name):
                key = "SQLALCHEMY_DATABASE_URI" if name == "DATABASE_URL" else name
                app.config[key] = os.environ[name]
    _fill_derived(app)


def _fill_derived(app: Flask) -> None:
    """Derive settings that depend on the instance folder or other settings."""
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if not uri:
        uri = f"sqlite:///{instance / 'guild.sqlite3'}"
    app.config["SQLALCHEMY_DATABASE_URI"] = _with_driver(uri)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _instance_secret(instance / "secret_key")
    redis_url = app.config.get("REDIS_URL")
    app.config.setdefault("RATELIMIT_STORAGE_URI", redis_url or "memory://")
    app.config.setdefault("UPLOAD_FOLDER", str(instance / "uploads"))


def _with_driver(uri: str) -> str:
    """Pick psycopg 3 for PostgreSQL URLs given without a driver."""
    for prefix in ("postgres://", "postgresql://"):
        if uri.startswith(prefix):
            return "postgresql+psycopg://" + uri.removeprefix(prefix)
    return uri


def _instance_secret(path: Path) -> str:
    """Read, or create once, a random secret shared by every process of this instance."""
    if not path.exists():
        # Write aside, then link: workers starting together all end up reading one secret.
        temp = path.with_name(f".{path.name}.{os.getpid()}")
        temp.write_text(secrets.token_hex(32))
        temp.chmod(0o600)
        try:
            os.link(temp, path)
        except FileExistsError:
            pass
        finally:
            temp.unlink()
    return path.read_text().strip()
