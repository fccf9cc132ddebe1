"""What every template can use: languages, navigation and formatting helpers."""

from collections.abc import Callable

from flask import Flask, current_app, request
from flask import url_for as flask_url_for
from flask_babel import get_locale, get_translations
from flask_login import current_user
from markupsafe import escape

from guild.accounts.names import mask_phone
from guild.accounts.roles import Role
from guild.i18n import LANGUAGE_NAMES, html_lang, time_zone_name, translate
from guild.money import fen_to_yuan
from guild.security import page_csrf_token
from guild.text import file_size


def request_gettext(message: str, **variables) -> str:
    """`_()` for templates rendered without the page context (imported macros)."""
    text = translate(message)
    return escape(text) % variables if variables else text


def _gettext_with(translations) -> Callable[..., str]:
    """`_()` for one render: translate, then fill %(name)s placeholders with escaped values.

    Jinja's newstyle gettext makes two context calls and a Flask-Babel catalogue lookup per
    string (~13 µs); a page shows dozens, so the catalogue is bound once per render (~1 µs a
    string). Translations are text, so they are escaped like the values.
    """
    lookup = translations.ugettext

    def gettext(message: str, **variables) -> str:
        text = lookup(message)
        return escape(text) % variables if variables else text

    return gettext


def _url_for_with(known: dict, script_root: str) -> Callable[..., str]:
    """url_for for one render, remembering URLs that cannot change between requests.

    Navigation and static links (~5 µs each through Werkzeug) depend only on the endpoint
    and the script root when they take no other argument, so they are built once per app.
    """

    def url_for(endpoint: str, **values) -> str:
        relative = endpoint.startswith(".")  # depends on the current blueprint
        if relative or (values and (endpoint != "static" or set(values) != {"filename"})):
            return flask_url_for(endpoint, **values)
        key = (script_root, endpoint, values.get("filename"))
        url = known.get(key)
        if url is None:
            url = known[key] = flask_url_for(endpoint, **values)
        return url

    return url_for


def _template_context() -> dict:
    locale = str(get_locale())
    return {
        # The user object itself, not Flask-Login's proxy: pages read it a dozen times.
        "current_user": current_user._get_current_object(),
        "_": _gettext_with(get_translations()),
        "url_for": _url_for_with(current_app.extensions["guild_urls"], request.script_root),
        "current_locale": locale,
        "html_lang": html_lang(locale),
        "language_names": LANGUAGE_NAMES,
        "Role": Role,
        "current_path": request.full_path.rstrip("?"),
        # Flask-WTF 1.3 puts its own csrf_token (signed anew on every page) in each
        # template's context, where it would shadow the global below.
        "csrf_token": page_csrf_token,
    }


def install_templating(app: Flask) -> None:
    """Register the context processor and filters; imported macros use the plain globals."""
    app.extensions["guild_urls"] = {}
    app.context_processor(_template_context)
    app.jinja_env.globals["_"] = request_gettext
    app.jinja_env.globals["csrf_token"] = page_csrf_token  # after CSRFProtect set its own
    app.add_template_filter(mask_phone, "mask_phone")
    app.add_template_filter(file_size, "file_size")
    app.jinja_env.globals["yuan"] = fen_to_yuan  # every amount of money on every page
    app.jinja_env.globals["time_zone_name"] = time_zone_name
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
