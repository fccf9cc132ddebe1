"""Language choice: a signed-in user's saved choice, else a cookie, else Simplified Chinese."""

from functools import cache

from babel import Locale
from babel.dates import get_timezone, get_timezone_name
from flask import current_app, g, has_request_context, request
from flask_babel import get_locale, get_translations
from flask_login import current_user

LANGUAGE_COOKIE = "guild_lang"
LANGUAGE_NAMES = {"zh_Hans": "简体中文", "en": "English"}


@cache
def _locale(code: str) -> Locale:
    """Parsed locales, kept: Flask-Babel would parse the code again on every request."""
    return Locale.parse(code)


def select_locale() -> Locale:
    """Pick the locale for this request."""
    return _locale(_locale_code())


def _locale_code() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI and background work speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in languages:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def html_lang(locale: str) -> str:
    """The BCP 47 tag for the <html lang> attribute."""
    return "zh-Hans" if locale.startswith("zh") else locale


def mark(message: str) -> str:
    """Mark a message for extraction; it is translated where it is shown (see translate)."""
    return message


def translate(message: str) -> str:
    """A message in the request's language, the catalogue looked up once per request.

    For labels shown many times on a page (roles, levels, types): Flask-Babel's gettext and
    lazy strings look the catalogue up again on every call (~13 µs each).
    """
    if not has_request_context():
        return get_translations().ugettext(message)
    translations = g.get("_guild_translations")
    if translations is None:
        translations = g._guild_translations = get_translations()
    return translations.ugettext(message)


def time_zone_name() -> str:
    """The union's time zone as people say it in this request's language ("中国时间")."""
    zone = get_timezone(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return get_timezone_name(zone, locale=get_locale())
