"""Sending a plan's hostile requests, signed in as its viewer, and recording failures."""

from urllib.parse import urlsplit

from werkzeug.datastructures import MultiDict

from tests.bad_input.bodies import _body_shots, _json_form_shots, _json_shots
from tests.bad_input.forms import Form, PageReader, _endpoint_of, _path
from tests.bad_input.plans import LEFT_OUT, Plan
from tests.bad_input.report import Failure, _failure
from tests.bad_input.shots import (
    Shot,
    _field_shots,
    _pairs,
    _path_shots,
    _query_shots,
    _whole_form_shots,
)
from tests.bad_input.uploads import _file_shots, _table_shots
from tests.bad_input.viewers import Viewer, _client


def _guessed_form(plan: Plan) -> Form:
    """For a POST route no page showed a form for: the fields its module reads by hand."""
    form = Form(plan.url, "post")
    for name in sorted(plan.form_keys):
        form.add(name, "text", "1")
    return form


def _shots(plan: Plan, client):
    """Every hostile request of the plan, GET ones (which change nothing) first."""
    if "GET" in plan.methods:
        yield from _query_shots("GET", plan.url, plan.query_keys)
    if "POST" not in plan.methods:
        yield from _path_shots(plan, "GET")
        return
    for form in plan.forms or [_guessed_form(plan)]:
        url = _path(form.action)
        yield from _whole_form_shots(url, form)
        yield from _field_shots(url, form)
        yield from _file_shots(url, form)
        yield from _table_shots(client, url, form)
        yield from _body_shots(url)
        yield from _json_form_shots(url, form)
        if urlsplit(url).path.startswith("/api/") or url.endswith(".json"):
            yield from _json_shots(url, plan.json_keys)
        data = MultiDict(_pairs(form))
        yield from _query_shots("POST", url, plan.query_keys, data, common=False)
    yield from _path_shots(plan, "POST")


def _fire(client, shot: Shot, failures: list[Failure]):
    """Send the shot; record a raise or a 5xx. The response, or None when it raised."""
    try:
        response = shot.send(client)
    except Exception as error:
        failures.append(_failure(shot, error))
        return None
    if response.status_code >= 500:
        outcome = f"HTTP {response.status_code}"
        failures.append(Failure(shot.describe(), outcome, outcome))
    if shot.follow and response.status_code == 200 and response.mimetype == "text/html":
        shot.reply = response.get_data(as_text=True)
    response.close()
    return response


def _follow_ups(shot: Shot, adapter, endpoint: str):
    """The forms of the page an upload brought back that post to another route of the same
    blueprint (an import's confirmation), sent as shown."""
    if not shot.reply:
        return
    reader = PageReader("http://localhost" + shot.url)
    reader.feed(shot.reply)
    for form in reader.forms:
        target = _endpoint_of(adapter, form.action, form.method)
        same_blueprint = target and target.split(".")[0] == endpoint.split(".")[0]
        if same_blueprint and target not in LEFT_OUT and target != endpoint:
            label = f"sent as shown, after [{shot.label}]"
            yield Shot("POST", _path(form.action), label, MultiDict(_pairs(form)))


def _signed_in(app, plan: Plan, failures: list[Failure]):
    """A client signed in as the plan's viewer; for a POST route no page showed a form for,
    the first candidate that an empty POST does not turn away (401, 403, 404)."""
    if plan.viewer is not None or not plan.candidates:
        return _client(app, plan.viewer or Viewer(None))
    for viewer in plan.candidates:
        client = _client(app, viewer)
        shot = Shot("POST", plan.url, f"empty POST as {viewer.name}", MultiDict())
        response = _fire(client, shot, failures)
        if response is None or response.status_code in (401, 403, 404):
            continue
        if "/account/login" not in response.headers.get("Location", ""):
            plan.viewer = viewer
            return client
    return _client(app, plan.candidates[0])


def _signed_out(response, plan: Plan) -> bool:
    """Whether the viewer was sent to sign in (the sweep signs them in again)."""
    return (
        response is not None
        and plan.viewer is not None
        and plan.viewer.person is not None
        and response.status_code == 302
        and "/account/login" in response.headers.get("Location", "")
    )
