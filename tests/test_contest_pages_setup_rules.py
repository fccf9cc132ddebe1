"""The organisers' contest pages: who may open them, and bad input refused with a clear message
and nothing changed (rows and audit log as they were). SQLite and PostgreSQL."""

from datetime import timedelta
from html.parser import HTMLParser
from io import BytesIO

import pytest
from sqlalchemy import func, select

from competitions.contests.lifecycle import SCHEME
from competitions.contests.marking_models import Aspect, PanelJudge
from competitions.contests.models import Contest, ContestStaff, Entry, EntryStatus, Stage
from competitions.contests.scheme import Aspect as SchemeAspect
from competitions.contests.scheme import Criterion, Scheme, SubCriterion
from competitions.contests.scheme_xlsx_write import write_scheme
from guild.accounts.roles import Role
from guild.audit.models import AuditEntry
from guild.extensions import db
from tests.conftest import login
from tests.contest_scene import build_contest
from tests.test_contest_pages_setup import BASE, contest_form, local

PAGES = (
    "edit",
    "staff",
    "scheme",
    "scheme.xlsx",
    "panels",
    "entries",
    "roster.xlsx",
    "theory",
    "draw",
)
POSTS = (
    "open-registration",
    "staff/appoint",
    "staff/dismiss",
    "scheme",
    "panels/assign",
    "panels/unassign",
    "theory",
    "theory/open",
    "theory/close",
    "draw",
)


@pytest.fixture
def app(make_app):
    """The app speaking English, so refusals are matched as the code words them."""
    return make_app(BABEL_DEFAULT_LOCALE="en")


def signed_in(app, person):
    """A client of its own, signed in as the person."""
    client = app.test_client()
    login(client, person)
    return client


def counts(app) -> dict:
    """Rows that a refused request must leave as they were."""
    with app.app_context():
        tables = (Contest, Entry, ContestStaff, Aspect, PanelJudge, AuditEntry)
        return {
            model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in tables
        }


def contest(app, contest_id: int) -> Contest:
    with app.app_context():
        row = db.session.get(Contest, contest_id)
        db.session.expunge(row)
        return row


class FormValues(HTMLParser):
    """The values a browser would send back from each of a page's forms."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict[str, str]] = []
        self.select = self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({})
        elif not self.forms:
            return
        elif tag == "input" and attrs.get("name"):
            self.forms[-1][attrs["name"]] = attrs.get("value") or ""
        elif tag == "select":
            self.select = attrs["name"]
            self.forms[-1].setdefault(self.select, "")
        elif tag == "option" and self.select and "selected" in attrs:
            self.forms[-1][self.select] = attrs.get("value") or ""
        elif tag == "textarea":
            self.textarea = attrs["name"]
            self.forms[-1][self.textarea] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            text = self.forms[-1][self.textarea]
            self.forms[-1][self.textarea] = text + (data if text else data.lstrip("\r\n"))


def form_values(html: str) -> dict:
    """The values of the page's biggest form, as a browser would send them unchanged."""
    parser = FormValues()
    parser.feed(html)
    return max(parser.forms, key=len)


def test_pages_for_organisers_refuse_workers_and_judges(app, people, trade_id):
    scene = build_contest(app, people, trade_id, until=Stage.DRAWN)
    organiser, worker = signed_in(app, scene.organiser), signed_in(app, scene.workers[0])
    judge, chief = signed_in(app, scene.judges[0]), signed_in(app, scene.chief)
    for page in PAGES:
        url = f"{BASE}/{scene.contest_id}/{page}"
        assert organiser.get(url).status_code == 200, url
        assert worker.get(url).status_code == 403, url
        assert judge.get(url).status_code == 403, url
        chief_may = page in ("scheme", "scheme.xlsx", "panels")
        assert chief.get(url).status_code == (200 if chief_may else 403), url
    for path in POSTS:
        url = f"{BASE}/{scene.contest_id}/{path}"
        assert worker.post(url).status_code == 403, url
    for path in ("/", "/new", "/scheme-template.xlsx"):
        assert organiser.get(f"{BASE}{path}").status_code == 200
    assert worker.get(f"{BASE}/new").status_code == 403
    hub = worker.get(f"{BASE}/{scene.contest_id}")
    assert hub.status_code == 200 and "Open registration" not in hub.text
    assert f"{BASE}/{scene.contest_id}/staff" not in hub.text


def test_a_draft_is_hidden_from_everyone_but_organisers(app, people, trade_id):
    scene = build_contest(app, people, trade_id, until=Stage.DRAFT, name="草稿竞赛")
    worker, organiser = signed_in(app, scene.workers[0]), signed_in(app, scene.organiser)
    assert worker.get(f"{BASE}/{scene.contest_id}").status_code == 404
    assert "草稿竞赛" not in worker.get(f"{BASE}/").text
    assert "草稿竞赛" in organiser.get(f"{BASE}/").text
    assert organiser.get(f"{BASE}/{scene.contest_id}").status_code == 200


def test_bad_ids_answer_404(app, people, trade_id):
    scene = build_contest(app, people, trade_id, until=Stage.REGISTRATION)
    organiser = signed_in(app, scene.organiser)
    assert organiser.post(f"{BASE}/new", data=contest_form(trade_id)).status_code == 302
    with app.app_context():
        other_id = db.session.scalar(select(func.max(Contest.id)))
    for page in ("", *(f"/{page}" for page in PAGES)):
        assert organiser.get(f"{BASE}/999999{page}").status_code == 404, page
        assert organiser.get(f"{BASE}/99999999999{page}").status_code == 404, page
    entry_id = next(iter(scene.entries.values()))
    before = counts(app)
    url = f"{BASE}/{other_id}/entries/{entry_id}/decide"
    assert organiser.post(url, data={"decision": "reject", "note": "x"}).status_code == 404
    assert organiser.post(f"{BASE}/{scene.contest_id}/entries/999999/decide").status_code == 404
    huge = f"{BASE}/{scene.contest_id}/entries/99999999999/decide"
    assert organiser.post(huge, data={"decision": "approve"}).status_code == 404
    assert counts(app) == before


def test_out_of_range_numbers_and_bad_dates_create_nothing(app, people, trade_id):
    organiser = signed_in(app, people.make(Role.ORGANISER))
    before = counts(app)
    bad = {
        "team_size": ("11", "Enter a whole number from 1 to 10."),
        "theory_weight": ("2", "Enter a number from 0 to 1."),
        "prize_first": ("150", "Enter a number from 0 to 100."),
        "spread_limit": ("NaN", "Enter a number."),
        "appeal_days": ("0", "Enter a whole number from 1 to 30."),
        "title_count": ("-1", "Enter a whole number from 0 to 1000."),
        "quota_per_enterprise": ("zero", "Enter a whole number."),
        "registration_opens_at": ("2026-13-45T10:00", "Enter a date and time."),
        "registration_closes_at": ("0001-01-01T00:00", "Enter a year from 2000 to 2999."),
        "trade_id": ("99999", "Choose a trade from the list."),
    }
    for name, (value, message) in bad.items():
        response = organiser.post(f"{BASE}/new", data=contest_form(trade_id) | {name: value})
        assert response.status_code == 400, name
        assert message in response.text, name
    early = contest_form(trade_id, registration_closes_at="2020-01-01T00:00")
    response = organiser.post(f"{BASE}/new", data=early)
    assert (
        response.status_code == 400 and "Registration must close after it opens." in response.text
    )
    twice = organiser.post(f"{BASE}/new", data=contest_form(trade_id, tie_break_2="theory"))
    assert twice.status_code == 400 and "A tie-break may appear only once." in twice.text
    gap = organiser.post(f"{BASE}/new", data=contest_form(trade_id, prize_second=""))
    assert gap.status_code == 400 and "Set the second prizes before the third ones." in gap.text
    over = contest_form(trade_id, prize_first="50", prize_second="40", prize_third="20")
    response = organiser.post(f"{BASE}/new", data=over)
    assert response.status_code == 400 and "Prize quotas add up to at most 1" in response.text
    assert counts(app) == before


def test_rules_round_trip_and_stay_fixed_once_lots_are_drawn(app, people, trade_id):
    scene = build_contest(app, people, trade_id, until=Stage.DRAWN)
    organiser = signed_in(app, scene.organiser)
    url = f"{BASE}/{scene.contest_id}/edit"
    values = form_values(organiser.get(url).text)
    assert values["groups"].splitlines() == ["甲组", "乙组"]
    kept = organiser.post(url, data=values | {"description": "决赛在杭州举行。"})
    assert kept.status_code == 302  # the form gives the rules back exactly as stored
    assert contest(app, scene.contest_id).description == "决赛在杭州举行。"
    before = counts(app)
    for name, value in (("theory_weight", "0.5"), ("prize_first", "15"), ("groups", "甲组")):
        response = organiser.post(url, data=values | {name: value})
        assert response.status_code == 400, name
        assert "The rules that decide results cannot change once lots are drawn." in response.text
    row = contest(app, scene.contest_id)
    assert row.theory_weight == 0.3 and row.prize_quotas == [0.1, 0.2, 0.3]
    assert counts(app) == before


def test_entries_cannot_change_once_lots_are_drawn(app, people, trade_id):
    scene = build_contest(app, people, trade_id, until=Stage.DRAWN)
    organiser = signed_in(app, scene.organiser)
    entry_id = scene.entries[scene.workers[0].id]
    before = counts(app)
    url = f"{BASE}/{scene.contest_id}/entries/{entry_id}/decide"
    response = organiser.post(url, data={"decision": "reject", "note": "迟到"})
    assert response.status_code == 400
    assert "Entries cannot change once lots are drawn." in response.text
    with app.app_context():
        assert db.session.get(Entry, entry_id).status is EntryStatus.APPROVED
    assert counts(app) == before
    again = organiser.post(f"{BASE}/{scene.contest_id}/draw", data={"count": "10"})
    assert again.status_code == 400 and "already been drawn" in again.text


def _upload(client, contest_id: int, scheme: Scheme):
    data = {"file": (BytesIO(write_scheme(scheme)), "scheme.xlsx")}
    return client.post(f"{BASE}/{contest_id}/scheme", data=data, content_type="multipart/form-data")


def test_a_scheme_not_summing_to_100_is_refused_and_nothing_stored(app, people, trade_id):
    scene = build_contest(app, people, trade_id, until=Stage.REGISTRATION)
    organiser = signed_in(app, scene.organiser)
    short = SchemeAspect(
        "A1.1", "接线电阻", SCHEME.criteria[0].sub_criteria[0].aspects[0].kind, "90"
    )
    bad = Scheme((Criterion("A", "电气安装", (SubCriterion("A1", "线路敷设", (short,)),)),))
    before = counts(app)
    response = _upload(organiser, scene.contest_id, bad)
    assert response.status_code == 400
    assert "the marks add up to 90, not 100" in response.text
    assert "nothing was changed" in response.text
    with app.app_context():
        codes = set(
            db.session.scalars(select(Aspect.code).where(Aspect.contest_id == scene.contest_id))
        )
    assert codes == set(scene.aspects) and counts(app) == before
    missing = organiser.post(f"{BASE}/{scene.contest_id}/scheme", data={})
    assert missing.status_code == 400 and "Choose a file." in missing.text
    junk = {"file": (BytesIO(b"not a workbook"), "scheme.xlsx")}
    response = organiser.post(
        f"{BASE}/{scene.contest_id}/scheme", data=junk, content_type="multipart/form-data"
    )
    assert response.status_code == 400 and counts(app) == before
    chief = signed_in(app, scene.chief)
    assert _upload(chief, scene.contest_id, SCHEME).status_code == 403


def test_staff_refusals_change_nothing(app, people, trade_id):
    scene = build_contest(app, people, trade_id, until=Stage.DRAWN)
    organiser = signed_in(app, scene.organiser)
    url = f"{BASE}/{scene.contest_id}/staff/appoint"
    before = counts(app)
    unknown = organiser.post(url, data={"role": "judge", "phone": "13000000000"})
    assert unknown.status_code == 400 and "No user has this phone number." in unknown.text
    nobody = organiser.post(url, data={"role": "judge"})
    assert nobody.status_code == 400 and "Choose a judge or give a phone number." in nobody.text
    entrant = scene.workers[0]
    refused = organiser.post(url, data={"role": "encryption_officer", "phone": entrant.phone})
    assert (
        refused.status_code == 400
        and "An entrant of the contest cannot be on its staff." in refused.text
    )
    not_judge = organiser.post(url, data={"role": "judge", "phone": scene.contact.phone})
    assert "Only a user with the judge role can judge a contest." in not_judge.text
    seated = {"user_id": scene.judges[0].id, "role": "judge"}
    response = organiser.post(f"{BASE}/{scene.contest_id}/staff/dismiss", data=seated)
    assert response.status_code == 400 and "Take the judge off their panels first." in response.text
    bad_id = {"user_id": "99999999999", "role": "judge"}
    assert (
        organiser.post(f"{BASE}/{scene.contest_id}/staff/dismiss", data=bad_id).status_code == 400
    )
    assert counts(app) == before


def test_the_chief_judge_manages_panels_and_another_judge_may_not(app, people, trade_id):
    scene = build_contest(app, people, trade_id, until=Stage.REGISTRATION)
    chief, judge = signed_in(app, scene.chief), signed_in(app, scene.judges[1])
    seat = {"aspect_id": scene.aspects["A1.2"], "user_id": scene.judges[1].id}
    assert judge.post(f"{BASE}/{scene.contest_id}/panels/assign", data=seat).status_code == 403
    assert chief.post(f"{BASE}/{scene.contest_id}/panels/assign", data=seat).status_code == 302
    with app.app_context():
        entry = db.session.scalar(
            select(AuditEntry)
            .where(AuditEntry.action == "contest.panel_assign")
            .order_by(AuditEntry.id.desc())
        )
        assert entry.actor_id == scene.chief.id and entry.after["aspect"] == "A1.2"
    before = counts(app)
    twice = chief.post(f"{BASE}/{scene.contest_id}/panels/assign", data=seat)
    assert twice.status_code == 400 and "already on the panel" in twice.text
    stranger = {"aspect_id": scene.aspects["A1.1"], "user_id": scene.workers[0].id}
    response = chief.post(f"{BASE}/{scene.contest_id}/panels/assign", data=stranger)
    assert response.status_code == 400 and "Only a judge appointed to this contest" in response.text
    assert counts(app) == before
    assert judge.post(f"{BASE}/{scene.contest_id}/panels/unassign", data=seat).status_code == 403
    assert chief.post(f"{BASE}/{scene.contest_id}/panels/unassign", data=seat).status_code == 302
    with app.app_context():
        assert db.session.get(PanelJudge, (seat["aspect_id"], seat["user_id"])) is None
        actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id.desc()))
        assert actions.first() == "contest.panel_unassign"
    # Off every panel, the judge can be dismissed by an organiser.
    organiser = signed_in(app, scene.organiser)
    member = {"user_id": scene.judges[1].id, "role": "judge"}
    assert chief.post(f"{BASE}/{scene.contest_id}/staff/dismiss", data=member).status_code == 403
    response = organiser.post(f"{BASE}/{scene.contest_id}/staff/dismiss", data=member)
    assert response.status_code == 302
    with app.app_context():
        key = (scene.contest_id, scene.judges[1].id, "judge")
        assert db.session.get(ContestStaff, key) is None


def test_draw_and_theory_refusals_change_nothing(app, people, trade_id):
    scene = build_contest(app, people, trade_id, until=Stage.REGISTRATION)
    organiser = signed_in(app, scene.organiser)
    draw = f"{BASE}/{scene.contest_id}/draw"
    before = counts(app)
    empty = organiser.post(draw, data={})
    assert empty.status_code == 400 and "Give the number of stations or their labels." in empty.text
    early = organiser.post(draw, data={"count": "10"})
    assert early.status_code == 400 and "Lots are drawn once registration has closed." in early.text
    theory = f"{BASE}/{scene.contest_id}/theory"
    response = organiser.post(
        theory, data={"opens_at": "2030-01-01T09:00", "closes_at": "2030-01-01T11:00"}
    )
    assert response.status_code == 400
    assert "Choose an active exam blueprint of the contest" in response.text
    opening = organiser.post(f"{theory}/open")
    assert (
        opening.status_code == 400
        and "This cannot be done while the contest is at the registration stage." in opening.text
    )
    row = contest(app, scene.contest_id)
    assert row.stage is Stage.REGISTRATION and row.lot_seed is None and row.theory_opens_at is None
    assert counts(app) == before


def test_labels_given_twice_are_refused(app, people, trade_id):
    scene = build_contest(app, people, trade_id, until=Stage.REGISTRATION, workers=2)
    organiser = signed_in(app, scene.organiser)
    values = form_values(organiser.get(f"{BASE}/{scene.contest_id}/edit").text)
    from guild.timeutil import utcnow

    now = utcnow()
    closed = values | {
        "registration_opens_at": local(now - timedelta(days=2)),
        "registration_closes_at": local(now - timedelta(minutes=1)),
    }
    assert organiser.post(f"{BASE}/{scene.contest_id}/edit", data=closed).status_code == 302
    before = counts(app)
    response = organiser.post(f"{BASE}/{scene.contest_id}/draw", data={"labels": "A1\nA2\nA1\n"})
    assert response.status_code == 400 and "is listed twice" in response.text
    few = organiser.post(f"{BASE}/{scene.contest_id}/draw", data={"labels": "A1"})
    assert few.status_code == 400 and "There are 1 stations for 2 approved entries." in few.text
    assert counts(app) == before and contest(app, scene.contest_id).stage is Stage.REGISTRATION
    assert (
        organiser.post(f"{BASE}/{scene.contest_id}/draw", data={"labels": "东1\n东2"}).status_code
        == 302
    )
    assert contest(app, scene.contest_id).lot_stations == ["东1", "东2"]
