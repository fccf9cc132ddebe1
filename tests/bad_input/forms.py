"""Reading forms and links from HTML pages, and matching URLs to routes."""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

NUMERIC_NAME = re.compile(
    r"(^|_)(ids?|count|number|score|mark|value|year|weight|amount|yuan|reward|fen|minutes|"
    r"duration|limit|capacity|level|difficulty|position|seats|max|min|total|points|percent|"
    r"rank|quota|size|stations?|capacity|hours|days|per)(_|$|\d)"
)
DATE_NAME = re.compile(r"(date|_on$|_at$|deadline|start|end|day|since|until|from|_to$|due)")
NUMBER_LIKE = re.compile(r"^-?\d+(\.\d+)?$")
DATE_LIKE = re.compile(r"^\d{4}-\d{2}-\d{2}")


TEXT_KINDS = {"text", "textarea", "number", "date", "datetime-local", "time", "tel", "email"}


@dataclass
class Field:
    """One named control of a form, with what a browser would send and its choices."""

    name: str
    kind: str  # the input type, or select, textarea, button
    sent: list[str] = field(default_factory=list)
    options: list[str] = field(default_factory=list)
    accept: str = ""  # of a file input
    multiple: bool = False  # of a select
    required: bool = False

    @property
    def numeric(self) -> bool:
        values = self.sent + self.options
        return (
            self.kind in ("number", "range", "select", "radio", "checkbox")
            or bool(NUMERIC_NAME.search(self.name))
            or any(NUMBER_LIKE.match(value) for value in values)
        )

    @property
    def dated(self) -> bool:
        return (
            self.kind in ("date", "datetime-local", "time", "month", "week")
            or bool(DATE_NAME.search(self.name))
            or any(DATE_LIKE.match(value) for value in self.sent)
        )


@dataclass
class Form:
    """A form as the page shows it: where it goes, how, and its fields by name."""

    action: str
    method: str
    json_action: str = ""  # the judging sheet's script posts the form here (data-json)
    fields: dict[str, Field] = field(default_factory=dict)
    templates: list[str] = field(default_factory=list)  # spreadsheet templates the page links

    def add(self, name: str, kind: str, sent: str | None, option: str | None = None) -> Field:
        control = self.fields.setdefault(name, Field(name, kind))
        if sent is not None and not (kind in ("radio", "button", "submit") and control.sent):
            control.sent.append(sent)
        if option is not None:
            control.options.append(option)
        return control

    @property
    def files(self) -> list[Field]:
        return [f for f in self.fields.values() if f.kind == "file"]

    @property
    def texts(self) -> list[Field]:
        return [f for f in self.fields.values() if f.kind != "file" and f.name != "csrf_token"]


class PageReader(HTMLParser):
    """Collects a page's forms (with their controls) and its links."""

    def __init__(self, url: str):
        super().__init__(convert_charrefs=True)
        self.url = url
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag, attrs):
        a = {name: value or "" for name, value in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(urljoin(self.url, a["href"]))
        elif tag == "form":
            action = urljoin(self.url, a.get("action") or self.url)
            json_action = urljoin(self.url, a["data-json"]) if a.get("data-json") else ""
            self._form = Form(action, (a.get("method") or "get").lower(), json_action)
            self.forms.append(self._form)
        elif self._form is not None and a.get("name"):
            self._control(tag, a)
        elif tag == "option" and self._select is not None:
            self._option(a)

    def _control(self, tag: str, a: dict[str, str]) -> None:
        form, name, control = self._form, a["name"], None
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            chosen = kind not in ("checkbox", "radio") or "checked" in a
            value = a.get("value", "on" if kind == "checkbox" else "")
            control = form.add(name, kind, value if chosen and kind != "file" else None, value)
            control.accept = a.get("accept", "")
        elif tag == "button" and (a.get("type") or "submit") == "submit":
            control = form.add(name, "button", a.get("value", ""), a.get("value", ""))
        elif tag == "select":
            control = self._select = form.add(name, "select", None)
            self._select.multiple = "multiple" in a
        elif tag == "textarea":
            control = self._textarea = form.add(name, "textarea", None)
            self._textarea.sent.append("")
        if control is not None:
            control.required |= "required" in a

    def _option(self, a: dict[str, str]) -> None:
        value = a.get("value", "")
        self._select.options.append(value)
        if "selected" in a:
            if not self._select.multiple:
                self._select.sent.clear()
            self._select.sent.append(value)

    def handle_data(self, data):
        if self._textarea is not None:
            sent = self._textarea.sent
            # A newline right after <textarea> is not part of its value (HTML parsing rules).
            sent[-1] = (sent[-1] + data).removeprefix("\r\n").removeprefix("\n")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None:
            if not self._select.sent and self._select.options:
                self._select.sent.append(self._select.options[0])
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _path(url: str) -> str:
    """The path and query of a URL, as the test client takes it."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _endpoint_of(adapter, url: str, method: str) -> str | None:
    try:
        endpoint, _ = adapter.match(urlsplit(url).path, method=method.upper())
    except (HTTPException, RequestRedirect):
        return None
    return endpoint
