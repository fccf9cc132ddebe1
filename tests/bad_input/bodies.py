"""Hostile request bodies: not forms, broken, or JSON of the wrong shape."""

import json

from tests.bad_input.forms import Form
from tests.bad_input.shots import Shot, _short


def _body_shots(url: str):
    """Bodies that are not forms, or broken ones."""
    deep = "[" * 100_000 + "]" * 100_000
    yield Shot("POST", url, "a JSON list", body="[1, 2]", content_type="application/json")
    yield Shot("POST", url, "deeply nested JSON", body=deep, content_type="application/json")
    yield Shot("POST", url, "binary junk", body=b"\x00\xff\xfe", content_type="text/plain")
    yield Shot(
        "POST",
        url,
        "multipart without a boundary",
        body=b"--x\r\n",
        content_type="multipart/form-data",
    )
    yield Shot(
        "POST",
        url,
        "bad percent-encoding and UTF-8",
        body=b"a=%zz&b=%ff%fe&%00=1&=&&",
        content_type="application/x-www-form-urlencoded",
    )


def _json_shots(url: str, keys: list[str]):
    """For JSON routes: bodies not JSON, not objects, and each key of every wrong type."""
    kind = "application/json"
    for label, body in [
        ("not JSON", "not json"),
        ("empty body", ""),
        ("cut JSON", '{"a": '),
        ("JSON list", "[]"),
        ("JSON number", "1"),
        ("JSON null", "null"),
        ("JSON string", '"x"'),
        ("empty object", "{}"),
        ("infinity", '{"a": 1e999}'),
    ]:
        yield Shot("POST", url, label, body=body, content_type=kind)
    wrong = [
        '"abc"', "-1", "0", "1.5", "99999999999999999999", "1e999", "-1e999", "true", "null",
        "[]", "{}", "[1]", '{"a": {"b": {"c": [1]}}}', '"\\u0000"', f'"{"x" * 10_000}"',
        "[" + ", ".join(['"A"'] * 1000) + "]", '["\\u0000"]', "[[\"A\"]]", "[1, 2]",
    ]  # fmt: skip
    base = {key: ("1" if key.endswith("_id") else '["A"]') for key in keys}
    for key in keys:
        for value in wrong:
            members = ", ".join(f'"{k}": {value if k == key else v}' for k, v in base.items())
            body = "{" + members + "}"
            yield Shot("POST", url, f"{key}: {_short(value)}", body=body, content_type=kind)


def _json_form_shots(url: str, form: Form):
    """The form as a JSON object (Flask-WTF reads one as form data): every field of a wrong
    type at once, then each field alone given NUL (refused in forms, not in JSON) or a
    non-string."""
    kind = "application/json"
    base = {control.name: (control.sent or [""])[0] for control in form.texts}
    yield Shot("POST", url, "the form as JSON", body=json.dumps(base), content_type=kind)
    for value in [1, 99999999999999999999, True, None, [1, 2], {"a": 1}]:
        body = json.dumps(dict.fromkeys(base, value))
        yield Shot("POST", url, f"JSON: every field {value!r}", body=body, content_type=kind)
    for name in base:
        for value in ["a\x00b", 1]:
            body = json.dumps({**base, name: value})
            yield Shot("POST", url, f"JSON: {name}={value!r}", body=body, content_type=kind)
