"""The sweep's cases, what each route reads, and whom it signs in as and what it sends."""

import os
import re
import sys
import tempfile
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path

import tests.conftest as conftest  # a module: its test_config, imported, would run as a test
from competitions.contests.models import Stage
from guild import create_app
from tests.bad_input.forms import TEXT_KINDS, Field, Form, _path
from tests.bad_input.viewers import Viewer
from tests.conftest import union_today
from tests.test_access import CONTEST_SCOPED, EXPECTED_RULES, _urls

# The sample contest is in publicity; these stages open the forms publicity no longer shows.
STAGES = (Stage.REGISTRATION, Stage.THEORY, Stage.PRACTICAL)
# Signing out would change the viewer mid-sweep (and takes no input).
LEFT_OUT = {"auth.logout"}


def _taking_posts() -> set[str]:
    """The endpoints that take a POST (from an app built for the purpose)."""
    app = create_app(conftest.test_config("sqlite://", Path(tempfile.gettempdir())))
    return {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods}


# Every route on the sample data; then, in each contest at an earlier stage, the contest's
# routes that take a POST (its pages are read there too, for their forms, but not swept).
CASES = [endpoint for endpoint in sorted(EXPECTED_RULES) if endpoint not in LEFT_OUT] + [
    f"{endpoint}@{stage.value}"
    for stage in STAGES
    for endpoint in sorted(CONTEST_SCOPED & _taking_posts())
]


def _allowed(endpoint: str, viewer: Viewer) -> bool:
    """Whether the route's access rule lets the viewer through."""
    rule = EXPECTED_RULES[endpoint]
    if not rule.login:
        return True
    if viewer.person is None:
        return False
    return not rule.roles or bool(rule.roles & viewer.roles)


ARG_READS = (
    re.compile(r'args\.get(?:list)?\(\s*"(\w+)"'),
    re.compile(r'args\[\s*"(\w+)"\s*\]'),
    re.compile(r'int_arg\(\s*"(\w+)"'),
)
ARG_TUPLES = re.compile(r"^\w*(?:ARGS|FILTERS?|NAMES)\w*\s*=\s*\(([^)]*)\)", re.MULTILINE)
FORM_READS = re.compile(r'(?:form|files)\.get(?:list)?\(\s*"(\w+)"')
JSON_READS = re.compile(r'(?:body|payload|data)\.get\(\s*"(\w+)"')


@dataclass
class Plan:
    """One case of the sweep: a route (in one of the sample contests), who asks, and what."""

    case: str
    endpoint: str
    rule: object  # the werkzeug Rule
    url: str
    values: dict
    candidates: list[Viewer]  # those the rule lets in, best first
    viewer: Viewer | None = None  # None: found by trying the candidates (see _signed_in)
    query_keys: set[str] = field(default_factory=set)  # the arguments the view reads
    form_keys: set[str] = field(default_factory=set)  # form fields read by hand
    json_keys: list[str] = field(default_factory=list)
    forms: list[Form] = field(default_factory=list)  # the form posting here, as shown

    @property
    def methods(self) -> set[str]:
        return set(self.rule.methods) - {"HEAD", "OPTIONS"}

    @property
    def variant(self) -> str:
        return self.case.partition("@")[2]


def _source_of(app, endpoint: str) -> str:
    module = sys.modules[app.view_functions[endpoint].__module__]
    return Path(module.__file__).read_text(encoding="utf-8")


def _reads(app, plan: Plan) -> None:
    """Fill the plan's argument, form and JSON names from its view module's source."""
    source = _source_of(app, plan.endpoint)
    for pattern in ARG_READS:
        plan.query_keys.update(pattern.findall(source))
    for names in ARG_TUPLES.findall(source):
        plan.query_keys.update(re.findall(r'"(\w+)"', names))
    if "page_number()" in source:
        plan.query_keys.add("page")
    plan.form_keys.update(FORM_READS.findall(source))
    plan.json_keys = sorted(set(JSON_READS.findall(source)))


def _plans(app, values: dict, stages: dict, viewers: list[Viewer]) -> dict[str, Plan]:
    """A plan for every case, with the sample URL and the candidates in order."""
    rules = {rule.endpoint: rule for rule in app.url_map.iter_rules()}
    plans = {}
    for variant, (extra, insiders) in [("", ({}, [])), *stages.items()]:
        merged = {**values, **extra}
        for endpoint, _method, url in _urls(app, merged):
            case = f"{endpoint}@{variant}" if variant else endpoint
            if endpoint in LEFT_OUT or (variant and endpoint not in CONTEST_SCOPED):
                continue
            candidates = [v for v in [*insiders, *viewers] if _allowed(endpoint, v)]
            plans[case] = Plan(case, endpoint, rules[endpoint], url, merged, candidates)
            _reads(app, plans[case])
    return plans


@dataclass
class Seen:
    """What the crawl found: each case's page per viewer, the forms posting to routes, and the
    query strings and values the pages use."""

    pages: dict = field(default_factory=dict)  # case -> [(viewer, status, fields, location)]
    forms: dict = field(default_factory=dict)  # (variant, endpoint) -> [(viewer, form)]
    query_keys: dict = field(default_factory=dict)  # endpoint -> names in GET forms, links
    links: dict = field(default_factory=dict)  # (variant, endpoint) -> URLs with a query
    values: dict = field(default_factory=dict)  # field name -> a value some page fills in


def _default(control: Field) -> str | None:
    """A plausible value for a required field no page fills in, by its type (an end after
    its start)."""
    end = bool(re.search(r"(end|clos|until|_to$)", control.name))
    later = union_today() + timedelta(days=31 if end else 30)
    return {
        "date": later.isoformat(),
        "datetime-local": f"{later.isoformat()}T{'11' if end else '09'}:00",
        "time": "11:00" if end else "09:00",
        "number": "1",
        "text": "扫描填写",
        "textarea": "扫描填写的内容。",
    }.get(control.kind)


def _filled(form: Form, values: dict[str, str]) -> Form:
    """The form with its blank fields given values other pages show for the name (an edit
    page's for its new page), or, where required, a plausible value of their type; a blank
    select gets an option no other select of the form has taken. Then one bad field is the
    only problem of a request, and the view's checks past the first get tried."""
    fields, taken = {}, set()
    for name, control in form.fields.items():
        blank = not control.sent or not "".join(control.sent).strip()
        if blank and control.kind in TEXT_KINDS and name in values:
            control = replace(control, sent=[values[name]])
        elif blank and control.kind in TEXT_KINDS and control.required and _default(control):
            control = replace(control, sent=[_default(control)])
        elif blank and control.kind == "checkbox" and control.name.endswith("_ids"):
            control = replace(control, sent=control.options[:1])  # a list of ids: one
        elif blank and control.kind == "select" and any(control.options):
            free = [o for o in control.options if o and o not in taken] or control.options
            control = replace(control, sent=[next(o for o in free if o)])
        taken.update(control.sent if control.kind == "select" else [])
        fields[name] = control
    return replace(form, fields=fields)


def _choose(plan: Plan, seen: Seen) -> None:
    """Sign in as whoever was shown the route's form; else as whoever saw its page best."""
    rank = {viewer: n for n, viewer in enumerate(plan.candidates)}
    forms = seen.forms.get((plan.variant, plan.endpoint), [])
    plan.query_keys |= seen.query_keys.get(plan.endpoint, set())
    if forms:
        exact = [pair for pair in forms if _path(pair[1].action) == plan.url]
        viewer, form = max(exact or forms, key=lambda p: (len(p[1].fields), -rank[p[0]]))
        plan.viewer, plan.forms = viewer, [_filled(form, seen.values)]
        return
    pages = seen.pages.get(plan.case, [])
    shown = [p for p in pages if p[1] == 200] or [
        p for p in pages if p[1] < 400 and "/account/login" not in p[3]
    ]
    if shown:
        plan.viewer = max(shown, key=lambda p: (p[2], -rank[p[0]]))[0]
    elif "GET" in plan.methods and plan.candidates:
        plan.viewer = plan.candidates[0]


def _related_first(plan: Plan, plans: dict[str, Plan]) -> None:
    """For a POST route no page showed a form for, try first whoever saw best the page that
    shares most of its path (an attempt's answer API: the attempt's own page, its owner)."""
    pages = [
        other
        for other in plans.values()
        if other.variant == plan.variant and "GET" in other.methods and other.viewer
    ]
    if plan.viewer is not None or not pages:
        return

    def kinship(other: Plan) -> tuple[int, int]:
        shared = set(plan.rule.arguments) & set(other.rule.arguments)
        prefix = len(os.path.commonpath([plan.url, other.url]))
        return len(shared), prefix

    viewer = max(pages, key=kinship).viewer
    if viewer in plan.candidates:
        plan.candidates = [viewer, *(v for v in plan.candidates if v is not viewer)]
