"""Flask-Login wiring: sessions revocable server-side through the user's session version."""

from flask import Flask
from flask_babel import lazy_gettext as _l

from guild.accounts.services.users import load_session_user
from guild.extensions import login_manager


def init_login(app: Flask) -> None:
    """Bind Flask-Login to the app with our user loader and messages."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to open this page.")
    login_manager.login_message_category = "info"
    login_manager.user_loader(load_session_user)
