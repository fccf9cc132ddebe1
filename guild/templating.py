"""What every template can use: languages, navigation and formatting helpers."""

from flask import Flask, request
from flask_babel import get_locale

from guild.accounts.names import mask_name, mask_phone
from guild.accounts.roles import Role
from guild.i18n import LANGUAGE_NAMES, html_lang


def _template_context() -> dict:
    locale = str(get_locale())
    return {
        "current_locale": locale,
        "html_lang": html_lang(locale),
        "language_names": LANGUAGE_NAMES,
        "Role": Role,
        "current_path": request.full_path.rstrip("?") if request else "/",
    }


def install_templating(app: Flask) -> None:
    """Register the context processor and filters."""
    app.context_processor(_template_context)
    app.add_template_filter(mask_name, "mask_name")
    app.add_template_filter(mask_phone, "mask_phone")
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
