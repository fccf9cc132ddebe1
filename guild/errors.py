"""Domain errors raised by services, and the HTTP error pages in both languages."""

from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError


class DomainError(Exception):
    """A rule of the domain refused an action; the message is shown to the user."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return str(self.message)


ERROR_TITLES = {
    400: _l("Bad request"),
    401: _l("Please sign in"),
    403: _l("Access denied"),
    404: _l("Page not found"),
    405: _l("Method not allowed"),
    413: _l("File too large"),
    415: _l("Unsupported content"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong"),
}

ERROR_HINTS = {
    400: _l("The request could not be understood. Go back and try again."),
    401: _l("Sign in to continue."),
    403: _l("You do not have permission to open this page."),
    404: _l("The page you asked for does not exist or has been moved."),
    405: _l("This address does not accept that kind of request."),
    413: _l("The upload is larger than the site accepts."),
    415: _l("This page takes a form, not another kind of content. Go back and send the form."),
    429: _l("Too many attempts in a short time. Wait a minute and try again."),
    500: _l("We have been told about the problem. Try again in a moment."),
}


def is_api_request() -> bool:
    """True for the JSON API's paths (/api/…), which answer in JSON rather than pages."""
    return request.path.startswith("/api/")


def error_response(code: int, message: str | None = None):
    """Render an error as JSON for /api/ paths, as a page otherwise."""
    title = str(ERROR_TITLES.get(code, ERROR_TITLES[500]))
    hint = message or str(ERROR_HINTS.get(code, ERROR_HINTS[500]))
    if is_api_request():
        return jsonify(error=title, message=hint, status=code), code
    return render_template("errors/error.html", code=code, title=title, hint=hint), code


def register_error_handlers(app: Flask) -> None:
    """Install the handlers that turn HTTP errors into friendly pages or JSON."""

    @app.errorhandler(CSRFError)
    def csrf_failed(error):
        return error_response(
            400, _("The form had expired or was sent from elsewhere. Reload it and try again.")
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        body, code = error_response(error.code)
        response = make_response(body, code)
        for name, value in error.get_headers():
            if name.lower() != "content-type":  # keep Allow, Retry-After, WWW-Authenticate
                response.headers[name] = value
        return response

    @app.errorhandler(InternalServerError)
    def server_error(error):
        app.logger.error("unhandled error on %s", request.path, exc_info=error.original_exception)
        return error_response(500)
