"""The organisers' contest pages, one whole setup through them: create, edit, open registration,
approve entries, appoint staff, upload a scheme, seat panels, draw lots, set and open the
theory paper; each step checked in the database and the audit log. SQLite and PostgreSQL."""

from dataclasses import dataclass, field
from datetime import timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from competitions.contests.lifecycle import PAPER
from competitions.contests.lifecycle import SCHEME as LIFECYCLE_SCHEME
from competitions.contests.marking_models import Aspect, PanelJudge
from competitions.contests.models import Contest, ContestStaff, Entry, EntryStatus, StaffRole, Stage
from competitions.contests.scheme_xlsx_write import write_scheme
from competitions.contests.services.registration import enter
from competitions.training.services.blueprints import save_blueprint
from guild.accounts.models import User
from guild.accounts.roles import Role
from guild.audit.models import AuditEntry
from guild.audit.services import Actor
from guild.extensions import db
from guild.timeutil import utcnow
from guild.trades.models import Trade
from tests.conftest import login

BASE = "/skills/contests"
ZONE = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def app(make_app):
    """The app speaking English, so pages are matched as the code words them."""
    return make_app(BABEL_DEFAULT_LOCALE="en")


def local(moment) -> str:
    """A naive UTC time as a datetime-local input's value in the union's zone."""
    return moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZONE).strftime("%Y-%m-%dT%H:%M")


def contest_form(trade_id: int, **changes) -> dict:
    """A valid contest form, with changes."""
    now = utcnow()
    data = {
        "name": "全省电工职业技能竞赛",
        "trade_id": str(trade_id),
        "level": "L3",
        "team_size": "1",
        "description": "理论加实操。",
        "registration_opens_at": local(now - timedelta(hours=1)),
        "registration_closes_at": local(now + timedelta(days=1)),
        "quota_per_enterprise": "5",
        "theory_weight": "0.3",
        "prize_first": "7",
        "prize_second": "20",
        "prize_third": "30",
        "prize_minimum": "60",
        "title_name": "技术能手",
        "title_count": "1",
        "tie_break": "theory",
        "tie_break_2": "practical",
        "tie_break_3": "",
        "appeal_days": "5",
        "spread_limit": "1",
        "groups": "甲组\n\n乙组\n",
    }
    return data | changes


def audit_actions(app, contest_id: int) -> list[str]:
    with app.app_context():
        query = select(AuditEntry.action).where(
            AuditEntry.object_type == "Contest", AuditEntry.object_id == str(contest_id)
        )
        return list(db.session.scalars(query.order_by(AuditEntry.id)))


def contest_row(app, contest_id: int) -> Contest:
    with app.app_context():
        contest = db.session.get(Contest, contest_id)
        db.session.expunge(contest)
        return contest


def test_index_lists_contests_and_offers_a_new_one_to_organisers(app, client, people, trade_id):
    organiser = people.make(Role.ORGANISER)
    login(client, organiser)
    page = client.get(f"{BASE}/")
    assert page.status_code == 200 and "New contest" in page.text
    assert client.get(f"{BASE}/new").status_code == 200


def test_create_stores_every_rule_in_utc_and_audits_it(app, client, people, trade_id):
    login(client, people.make(Role.ORGANISER))
    window = {
        "registration_opens_at": "2036-12-01T09:30",
        "registration_closes_at": "2036-12-02T18:00",
    }
    form = contest_form(trade_id, **window)
    response = client.post(f"{BASE}/new", data=form)
    assert response.status_code == 302, response.text
    with app.app_context():
        contest = db.session.scalar(select(Contest))
        assert contest.stage is Stage.DRAFT and contest.level == "L3"
        assert contest.registration_opens_at.isoformat() == "2036-12-01T01:30:00"  # UTC+8
        assert contest.prize_quotas == [0.07, 0.2, 0.3] and contest.prize_minimum == 60.0
        assert contest.tie_break == ["theory", "practical"] and contest.quota_per_enterprise == 5
        assert [group.name for group in contest.groups] == ["甲组", "乙组"]
        contest_id = contest.id
    assert audit_actions(app, contest_id) == ["contest.create"]
    assert response.headers["Location"].endswith(f"{BASE}/{contest_id}")
    # The edit form shows the rules back as they were entered: saving it changes nothing.
    page = client.get(f"{BASE}/{contest_id}/edit")
    assert 'value="2036-12-01T09:30"' in page.text and 'value="7"' in page.text
    hub = client.get(f"{BASE}/{contest_id}")
    assert "prize 1: 7%" in hub.text and "Open registration" in hub.text


def _enter_workers(app, contest_id: int, workers) -> list[int]:
    with app.app_context():
        ids = [enter(Actor(db.session.get(User, w.id)), contest_id, w.id).id for w in workers]
        db.session.commit()
        return ids


def _scheme_file(scheme=LIFECYCLE_SCHEME) -> tuple:
    return (BytesIO(write_scheme(scheme)), "scheme.xlsx")


@dataclass
class Flow:
    """The contest set up through the pages, and who is in it."""

    app: object
    client: object
    trade_id: int
    people: dict  # Persons by part: chief, judge, recused, officer
    workers: list
    contest_id: int = 0
    entries: list = field(default_factory=list)

    def url(self, path: str = "") -> str:
        return f"{BASE}/{self.contest_id}{path}"

    def post(self, path: str, **data):
        return self.client.post(self.url(path), data=data)


def _create_and_open(flow: Flow) -> None:
    """Create from the form, open registration from the hub; the workers enter."""
    form = contest_form(flow.trade_id, groups="")
    assert flow.client.post(f"{BASE}/new", data=form).status_code == 302
    flow.contest_id = contest_row_id(flow.app)
    assert flow.post("/open-registration").status_code == 302
    assert contest_row(flow.app, flow.contest_id).stage is Stage.REGISTRATION
    flow.entries = _enter_workers(flow.app, flow.contest_id, flow.workers)


def _decide_entries(flow: Flow) -> None:
    """Two approved, one turned down (a reason needed), and the roster."""
    page = flow.client.get(flow.url("/entries"))
    assert page.status_code == 200 and "工人0" in page.text and "Pending: 3" in page.text
    for entry_id in flow.entries[:2]:
        assert flow.post(f"/entries/{entry_id}/decide", decision="approve").status_code == 302
    refused = flow.post(f"/entries/{flow.entries[2]}/decide", decision="reject")
    assert refused.status_code == 400 and "Say why the entry is turned down." in refused.text
    turned_down = flow.post(
        f"/entries/{flow.entries[2]}/decide", decision="reject", note="证书不符"
    )
    assert turned_down.status_code == 302
    with flow.app.app_context():
        statuses = [db.session.get(Entry, entry_id).status for entry_id in flow.entries]
    assert statuses == [EntryStatus.APPROVED, EntryStatus.APPROVED, EntryStatus.REJECTED]
    roster = flow.client.get(flow.url("/roster.xlsx"))
    assert roster.status_code == 200 and roster.data[:2] == b"PK"
    assert "attachment" in roster.headers["Content-Disposition"]


def _appoint_staff(flow: Flow) -> None:
    """Judges from the list, the encryption officer by phone number."""
    cast = flow.people
    for role, person in (("chief_judge", "chief"), ("judge", "judge"), ("judge", "recused")):
        assert flow.post("/staff/appoint", role=role, user_id=cast[person].id).status_code == 302
    officer = cast["officer"]
    response = flow.post("/staff/appoint", role="encryption_officer", phone=officer.phone)
    assert response.status_code == 302
    twice = flow.post("/staff/appoint", role="chief_judge", user_id=cast["judge"].id)
    assert twice.status_code == 400 and "already has someone in this role" in twice.text
    page = flow.client.get(flow.url("/staff"))
    assert "郑裁判长" in page.text and "钱加密" in page.text
    with flow.app.app_context():
        roles = {(row.user_id, row.role) for row in db.session.scalars(select(ContestStaff))}
    assert (officer.id, StaffRole.ENCRYPTION_OFFICER) in roles and len(roles) == 4


def _scheme_and_panels(flow: Flow) -> None:
    """The marking scheme from .xlsx, shown and exported; a judge on every panel."""
    upload = flow.client.post(
        flow.url("/scheme"), data={"file": _scheme_file()}, content_type="multipart/form-data"
    )
    assert upload.status_code == 302
    page = flow.client.get(flow.url("/scheme"))
    assert "Total: 100" in page.text and "布线工艺美观" in page.text and "完全达到" in page.text
    exported = flow.client.get(flow.url("/scheme.xlsx"))
    assert exported.status_code == 200 and exported.data[:2] == b"PK"
    with flow.app.app_context():
        aspects = {a.code: a.id for a in db.session.scalars(select(Aspect))}
    judge, recused = flow.people["judge"].id, flow.people["recused"].id
    for aspect_id in aspects.values():
        assert flow.post("/panels/assign", aspect_id=aspect_id, user_id=judge).status_code == 302
    refused = flow.post("/panels/assign", aspect_id=aspects["A1.2"], user_id=recused)
    assert refused.status_code == 400 and "has an entrant in the contest" in refused.text
    with flow.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PanelJudge)) == 4
    assert "裁判甲" in flow.client.get(flow.url("/panels")).text


def _close_and_draw(flow: Flow) -> None:
    """Registration closes through the rules' form, then the lots: a record, no secrets."""
    now = utcnow()
    closed = contest_form(
        flow.trade_id,
        groups="",
        registration_opens_at=local(now - timedelta(days=1)),
        registration_closes_at=local(now - timedelta(minutes=2)),
    )
    assert flow.client.post(flow.url("/edit"), data=closed).status_code == 302
    assert flow.post("/draw", count="4").status_code == 302
    contest = contest_row(flow.app, flow.contest_id)
    assert contest.stage is Stage.DRAWN and len(contest.lot_stations) == 4
    page = flow.client.get(flow.url("/draw"))
    assert contest.lot_fingerprint in page.text and contest.lot_seed not in page.text
    assert "exactly what the recorded draw gives" in page.text
    with flow.app.app_context():
        codes = [db.session.get(Entry, entry_id).code for entry_id in flow.entries]
    assert codes[0] and codes[1] and codes[2] is None
    assert codes[0] not in page.text and codes[0] not in flow.client.get(flow.url("/entries")).text


def _theory(flow: Flow) -> None:
    """An active blueprint of the trade and a window, then the theory stage opens."""
    with flow.app.app_context():
        trade = db.session.get(Trade, flow.trade_id)
        blueprint_id = save_blueprint(Actor(None), None, trade, "竞赛理论卷", 30, list(PAPER)).id
        db.session.commit()
    opens = utcnow() - timedelta(minutes=5)
    window = {"opens_at": local(opens), "closes_at": local(opens + timedelta(hours=2))}
    assert flow.post("/theory", blueprint_id=blueprint_id, **window).status_code == 302
    contest = contest_row(flow.app, flow.contest_id)
    assert contest.theory_blueprint_id == blueprint_id
    assert abs(contest.theory_opens_at - opens) < timedelta(minutes=1)
    assert flow.post("/theory/open").status_code == 302
    assert contest_row(flow.app, flow.contest_id).stage is Stage.THEORY
    early = flow.post("/theory/close")
    assert early.status_code == 400 and "has not closed yet" in early.text
    assert contest_row(flow.app, flow.contest_id).stage is Stage.THEORY


def test_a_contest_set_up_through_its_pages(app, client, people, trade_id):
    firms = [people.enterprise(f"{city}电力有限公司", city) for city in ("杭州市", "宁波市")]
    cast = {
        "chief": people.make(Role.JUDGE, real_name="郑裁判长"),
        "judge": people.make(Role.JUDGE, real_name="裁判甲"),
        "recused": people.make(Role.JUDGE, real_name="裁判乙", enterprise_id=firms[0]),
        "officer": people.make(real_name="钱加密"),
    }
    workers = [people.make(real_name=f"工人{n}", enterprise_id=firms[n % 2]) for n in range(3)]
    login(client, people.make(Role.ORGANISER, real_name="陈组织"))
    flow = Flow(app, client, trade_id, cast, workers)
    for step in (
        _create_and_open,
        _decide_entries,
        _appoint_staff,
        _scheme_and_panels,
        _close_and_draw,
        _theory,
    ):
        step(flow)
    actions = audit_actions(app, flow.contest_id)
    for action in (
        "contest.create",
        "contest.stage",
        "contest.staff_appoint",
        "contest.scheme_import",
        "contest.panel_assign",
        "contest.edit",
        "contest.lots_draw",
        "contest.theory_set",
    ):
        assert action in actions, action
    assert actions.count("contest.stage") == 3  # registration, drawn, theory
    with app.app_context():
        decided = select(func.count()).where(AuditEntry.action == "contest.decide")
        assert db.session.scalar(decided.select_from(AuditEntry)) == 3


def contest_row_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Contest.id).order_by(Contest.id.desc()))
