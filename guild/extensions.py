"""The Flask extensions, created unbound and initialised in create_app()."""

from enum import StrEnum

from flask import current_app
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Enum, MetaData
from sqlalchemy.orm import DeclarativeBase

from guild.csrf import RememberingCSRFProtect

# The largest id an integer primary key holds on every engine; larger ones are never found.
MAX_ID = 2**31 - 1

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base whose constraints get stable names for migrations."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class GuildLoginManager(LoginManager):
    """Flask-Login's manager, minus the hash of the client's address and browser that it
    makes on every request before it looks whether session protection is on (it is off)."""

    def _session_protection_failed(self) -> bool:
        mode = current_app.config.get("SESSION_PROTECTION", self.session_protection)
        return bool(mode) and super()._session_protection_failed()


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = GuildLoginManager()
csrf = RememberingCSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def enum_type(kind: type[StrEnum]) -> Enum:
    """A column type storing a StrEnum by its value in a VARCHAR (no native enum to migrate)."""
    return Enum(kind, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
