"""Reading every page as every viewer let in, for the forms and links it shows."""

import re
from urllib.parse import urlsplit

from tests.bad_input.forms import TEXT_KINDS, Form, PageReader, _endpoint_of, _path
from tests.bad_input.plans import Plan, Seen
from tests.bad_input.viewers import Viewer, _client


def _file_form(seen: Seen, variant: str, endpoint: str | None, viewer, form: Form) -> None:
    if endpoint is None:
        return
    seen.forms.setdefault((variant, endpoint), []).append((viewer, form))
    for control in form.fields.values():
        if control.kind in TEXT_KINDS and control.sent and control.sent[0].strip():
            seen.values.setdefault(control.name, control.sent[0])


def _file_forms(adapter, reader: PageReader, variant: str, viewer, seen: Seen) -> None:
    """File the page's POST forms under their routes, and its GET forms' names as queries."""
    templates = [_path(link) for link in reader.links if re.search(r"template\.(xlsx|csv)$", link)]
    for form in reader.forms:
        form.templates = templates if form.files else []
        target = _endpoint_of(adapter, form.action, form.method)
        if form.method == "get" and target:
            seen.query_keys.setdefault(target, set()).update(form.fields)
        elif form.method == "post":
            _file_form(seen, variant, target, viewer, form)
        if form.json_action:
            posted = Form(form.json_action, "post", fields=form.fields)
            target = _endpoint_of(adapter, form.json_action, "post")
            _file_form(seen, variant, target, viewer, posted)


def _file_links(adapter, reader: PageReader, variant: str, seen: Seen) -> None:
    """The query names of the page's links, and the links themselves, by route."""
    for link in reader.links:
        query = urlsplit(link).query
        target = _endpoint_of(adapter, link, "get") if query else None
        if target:
            keys = {pair.partition("=")[0] for pair in query.split("&")}
            seen.query_keys.setdefault(target, set()).update(keys)
            seen.links.setdefault((variant, target), set()).add(_path(link))


def _read_page(client, adapter, url: str, case: str, viewer: Viewer, seen: Seen) -> None:
    """GET a page of the case as the viewer; file its forms and links."""
    response = client.get(url)
    fields, variant = 0, case.partition("@")[2]
    if response.status_code == 200 and response.mimetype == "text/html":
        reader = PageReader("http://localhost" + url)
        reader.feed(response.get_data(as_text=True))
        fields = sum(len(form.fields) for form in reader.forms)
        _file_forms(adapter, reader, variant, viewer, seen)
        _file_links(adapter, reader, variant, seen)
    location = response.headers.get("Location", "")
    seen.pages.setdefault(case, []).append((viewer, response.status_code, fields, location))
    response.close()


def _crawl(app, plans: dict[str, Plan]) -> Seen:
    """Every GET page as every viewer its rule lets in; then, for a route that takes a POST
    and showed no form, the pages linked with a query (such as ?trade=1) that may show it."""
    seen = Seen()
    adapter = app.url_map.bind("localhost")
    viewers = list(dict.fromkeys(v for plan in plans.values() for v in plan.candidates))
    clients = {viewer: _client(app, viewer) for viewer in viewers}
    for viewer, client in clients.items():
        for plan in plans.values():
            if "GET" in plan.methods and viewer in plan.candidates:
                _read_page(client, adapter, plan.url, plan.case, viewer, seen)
    for plan in plans.values():
        if "POST" not in plan.methods or (plan.variant, plan.endpoint) in seen.forms:
            continue
        for url in sorted(seen.links.get((plan.variant, plan.endpoint), ()))[:2]:
            for viewer in plan.candidates:
                _read_page(clients[viewer], adapter, url, plan.case, viewer, seen)
    return seen
