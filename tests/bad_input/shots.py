"""One hostile request, and those made of query strings, path values and form fields."""

import io
from dataclasses import dataclass
from urllib.parse import urlencode

from werkzeug.datastructures import MultiDict

from tests.bad_input.forms import Field, Form
from tests.bad_input.payloads import (
    COMMON_KEYS,
    PATH_INT_VALUES,
    PATH_TEXT_VALUES,
    QUERY_VALUES,
    _hostile_values,
    _plausible,
)
from tests.bad_input.plans import Plan


@dataclass
class Shot:
    """One request of the sweep, with a short description of what is hostile in it."""

    method: str
    url: str
    label: str
    data: MultiDict | None = None
    body: str | bytes | None = None
    content_type: str | None = None
    follow: bool = False  # post the forms of the page that comes back (an import's preview)
    reply: str = ""  # that page

    def send(self, client):
        if self.body is not None:
            return client.open(
                self.url, method=self.method, data=self.body, content_type=self.content_type
            )
        return client.open(self.url, method=self.method, data=self.data)

    def describe(self) -> str:
        return f"{self.method} {_short(self.url, 120)} [{self.label}]"


def _short(value, limit: int = 24) -> str:
    text_ = value if isinstance(value, str) else repr(value)
    shown = repr(text_[:limit]) if isinstance(value, str) else text_[:limit]
    return shown if len(text_) <= limit else f"{shown}…({len(text_)} chars)"


def _with_query(url: str, pairs: list[tuple[str, str]]) -> str:
    return f"{url}{'&' if '?' in url else '?'}{urlencode(pairs)}"


def _pairs(form: Form, skip: str = "", swap: dict | None = None) -> list[tuple[str, str]]:
    """The form's fields as a browser sends them, less one, with some values swapped."""
    swap = swap or {}
    pairs = []
    for control in form.texts:
        if control.name == skip:
            continue
        sent = [swap[control.name]] if control.name in swap else control.sent
        pairs += [(control.name, value) for value in sent]
    return pairs


def _upload(control: Field) -> tuple[str, tuple]:
    content, name = _plausible(control)
    return control.name, (io.BytesIO(content), name)


def _uploads(form: Form) -> list[tuple[str, tuple]]:
    """A plausible file in each file input, new for each request."""
    return [_upload(control) for control in form.files]


def _query_shots(method: str, url: str, keys: set[str], data=None, common: bool = True):
    """Each argument the view reads given each hostile value, then the common ones at once."""
    for key in sorted(keys):
        for value in QUERY_VALUES:
            yield Shot(method, _with_query(url, [(key, value)]), f"{key}={_short(value)}", data)
        yield Shot(method, _with_query(url, [(key, "1"), (key, "abc")]), f"{key} twice", data)
    others = [key for key in COMMON_KEYS if key not in keys]
    if common and others:
        for value in QUERY_VALUES:
            pairs = [(key, value) for key in others]
            yield Shot(method, _with_query(url, pairs), f"common keys={_short(value)}", data)
        pairs = [(key, value) for key in others for value in ("1", "abc")]
        yield Shot(method, _with_query(url, pairs), "common keys twice", data)


def _path_shots(plan: Plan, method: str):
    """The route with each path value swapped for an unused id or a malformed text."""
    for name in plan.rule.arguments:
        numeric = type(plan.rule._converters[name]).__name__.endswith("IntConverter")
        for value in PATH_INT_VALUES if numeric else PATH_TEXT_VALUES:
            path_values = {key: plan.values[key] for key in plan.rule.arguments}
            url = plan.rule.build({**path_values, name: value})[1]
            yield Shot(method, url, f"path {name}={_short(value)}", MultiDict())


def _whole_form_shots(url: str, form: Form):
    """Every field at once: empty, 'abc', numbers out of range, NUL, very long, twice; none."""
    yield Shot("POST", url, "the form as shown", MultiDict(_pairs(form) + _uploads(form)))
    yield Shot("POST", url, "no fields at all", MultiDict())
    names = [control.name for control in form.texts]
    for value in ["", "abc", "\x00", "x" * 10_000]:
        swap = dict.fromkeys(names, value)
        yield Shot("POST", url, f"every field {_short(value)}", MultiDict(_pairs(form, "", swap)))
    numeric = [control.name for control in form.texts if control.numeric]
    for value in ["-1", "1e309", "99999999999999999999"] if numeric else []:
        swap = dict.fromkeys(numeric, value)
        pairs = _pairs(form, "", swap) + _uploads(form)
        yield Shot("POST", url, f"numeric fields {value}", MultiDict(pairs))
    twice = _pairs(form) + [(name, "abc") for name in names]
    yield Shot("POST", url, "every field twice", MultiDict(twice + _uploads(form)))


def _field_shots(url: str, form: Form):
    """Each field on its own: missing, hostile values, sent twice, each of its options."""
    for control in form.texts:
        name = control.name
        pairs = _pairs(form, name) + _uploads(form)
        yield Shot("POST", url, f"{name} missing", MultiDict(pairs))
        for value in _hostile_values(control):
            pairs = _pairs(form, "", {name: value}) + _uploads(form)
            yield Shot("POST", url, f"{name}={_short(value)}", MultiDict(pairs))
        pairs = [*_pairs(form), (name, "abc"), *_uploads(form)]
        yield Shot("POST", url, f"{name} twice", MultiDict(pairs))
        for option in list(dict.fromkeys(control.options))[:6]:
            pairs = _pairs(form, "", {name: option}) + _uploads(form)
            yield Shot("POST", url, f"{name}={_short(option)} (an option)", MultiDict(pairs))
