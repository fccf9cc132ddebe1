"""One skills contest from creation to final results through its pages only, each person in
their own browser session: organiser, workers, judge, chief judge, encryption officer.
The setup steps are those of tests/test_contest_pages_setup.py; the rest follows on. The
one shortcut: the appeal window's days passing, written into the contest's row."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from competitions.contests.lifecycle import PAPER
from competitions.contests.marking_models import Appeal, AppealStatus, Aspect, Criterion, JudgeScore
from competitions.contests.models import Contest, Entry, EntryStatus, Stage
from competitions.contests.services.results import standings
from competitions.training.services.blueprints import save_blueprint
from guild.accounts.roles import Role
from guild.audit.models import AuditEntry
from guild.audit.services import Actor
from guild.extensions import db
from guild.timeutil import utcnow
from guild.trades.models import Trade
from tests.conftest import login
from tests.test_contest_pages_setup import (
    BASE,
    Flow,
    _appoint_staff,
    _close_and_draw,
    _decide_entries,
    _scheme_and_panels,
    contest_form,
    contest_row,
    contest_row_id,
    local,
)

JUDGING = "/skills/judging"
# The agreed marks (measurement) and the judge's scores (judgement) of the two approved
# entrants, by aspect code: A1.1 of 30, A1.2 0–3 of 30, B1.1 0–3 of 20, B1.2 of 20. Nobody
# sat the theory paper, so only the first entrant, re-marked to 100 on appeal, reaches the
# prize minimum of 60 (total = 0.7 × practical) and takes the title.
MARKS = ({"A1.1": "30", "A1.2": "2", "B1.1": "3", "B1.2": "20"},
         {"A1.1": "20", "A1.2": "2", "B1.1": "3", "B1.2": "15"})  # fmt: skip


@pytest.fixture
def app(make_app):
    """The app speaking English, so pages are matched as the code words them."""
    return make_app(BABEL_DEFAULT_LOCALE="en")


def signed_in(app, person):
    client = app.test_client()
    login(client, person)
    return client


def _create_and_enter(flow: Flow, workers: list) -> None:
    """The organiser creates and opens the contest; each worker enters on its page."""
    assert (
        flow.client.post(f"{BASE}/new", data=contest_form(flow.trade_id, groups="")).status_code
        == 302
    )
    flow.contest_id = contest_row_id(flow.app)
    assert flow.post("/open-registration").status_code == 302
    for worker in workers:
        page = signed_in(flow.app, worker)
        assert page.post(flow.url("/entry"), data={}).status_code == 302
    with flow.app.app_context():
        rows = db.session.scalars(select(Entry).where(Entry.contest_id == flow.contest_id))
        flow.entries = [row.id for row in sorted(rows, key=lambda row: row.id)]
    assert len(flow.entries) == 3


def _theory_in_the_past(flow: Flow) -> None:
    """A paper whose window has passed (sitting it is tested on its own pages): set, opened
    and closed, the contest moves on to its practical."""
    with flow.app.app_context():
        trade = db.session.get(Trade, flow.trade_id)
        blueprint_id = save_blueprint(Actor(None), None, trade, "竞赛理论卷", 30, list(PAPER)).id
        db.session.commit()
    opens = utcnow() - timedelta(hours=3)
    window = {"opens_at": local(opens), "closes_at": local(opens + timedelta(hours=2))}
    assert flow.post("/theory", blueprint_id=blueprint_id, **window).status_code == 302
    assert flow.post("/theory/open").status_code == 302
    assert flow.post("/theory/close").status_code == 302
    assert contest_row(flow.app, flow.contest_id).stage is Stage.PRACTICAL


def _aspects(flow: Flow) -> dict[str, int]:
    with flow.app.app_context():
        rows = db.session.scalars(select(Aspect).where(Aspect.contest_id == flow.contest_id))
        return {row.code: row.id for row in rows}


def _mark(flow: Flow, judge) -> None:
    """The judge marks both approved entrants on every aspect, aspect by aspect."""
    client, aspects = signed_in(flow.app, judge), _aspects(flow)
    for entry_id, marks in zip(flow.entries[:2], MARKS, strict=True):
        for code, value in marks.items():
            url = f"{JUDGING}/{flow.contest_id}/aspects/{aspects[code]}"
            saved = client.post(url, data={"entry_id": entry_id, "value": value})
            assert saved.status_code == 302, (code, saved.text[:300])
    page = client.get(f"{JUDGING}/{flow.contest_id}/aspects/{aspects['A1.2']}")
    assert "2 of 2" in page.text or "2 / 2" in page.text


def _lock_reveal_publish(flow: Flow, chief, officer) -> None:
    chief_client = signed_in(flow.app, chief)
    with flow.app.app_context():
        criteria = db.session.scalars(
            select(Criterion.id).where(Criterion.contest_id == flow.contest_id)
        ).all()
    early = signed_in(flow.app, officer).post(f"{JUDGING}/{flow.contest_id}/reveal")
    assert (
        early.status_code in (302, 400)
        and contest_row(flow.app, flow.contest_id).revealed_at is None
    )
    for criterion_id in criteria:
        locked = chief_client.post(f"{JUDGING}/{flow.contest_id}/criteria/{criterion_id}/lock")
        assert locked.status_code == 302
    assert contest_row(flow.app, flow.contest_id).stage is Stage.LOCKED
    assert (
        signed_in(flow.app, officer).post(f"{JUDGING}/{flow.contest_id}/reveal").status_code == 302
    )
    assert contest_row(flow.app, flow.contest_id).stage is Stage.REVEALED
    assert flow.post("/publish").status_code == 302
    assert contest_row(flow.app, flow.contest_id).stage is Stage.PUBLICITY


def _appeal_and_remark(flow: Flow, worker, judge, chief) -> None:
    """The first entrant appeals; upheld, aspect A1.2 is re-marked with a reason and relocked."""
    entrant = signed_in(flow.app, worker)
    mine = entrant.get(flow.url("/entry/result"))
    assert mine.status_code == 200 and "布线工艺美观" in mine.text
    filed = entrant.post(flow.url("/appeals/new"), data={"reason": "工艺美观评分偏低，请求复核"})
    assert filed.status_code == 302
    aspects = _aspects(flow)
    with flow.app.app_context():
        appeal_id = db.session.scalar(select(Appeal.id))
    assert "工艺美观评分偏低" in flow.client.get(flow.url("/appeals")).text
    form = {
        "decision": "upheld",
        "ruling": "经复核，同意重新评分",
        "reopen_aspect_id": aspects["A1.2"],
    }
    ruling = {f"appeal-{appeal_id}-{name}": value for name, value in form.items()}
    assert flow.post(f"/appeals/{appeal_id}/ruling", **ruling).status_code == 302
    with flow.app.app_context():
        row = db.session.scalar(
            select(JudgeScore).where(
                JudgeScore.entry_id == flow.entries[0], JudgeScore.aspect_id == aspects["A1.2"]
            )
        )
        version = row.version
    url = f"{JUDGING}/{flow.contest_id}/aspects/{aspects['A1.2']}"
    judge_client = signed_in(flow.app, judge)
    data = {"entry_id": flow.entries[0], "value": "3", "version": version}
    assert judge_client.post(url, data=data).status_code == 400  # a reason is needed now
    remarked = judge_client.post(url, data=data | {"reason": "申诉复核"})
    assert remarked.status_code == 302
    with flow.app.app_context():
        criterion = db.session.scalar(select(Criterion).where(Criterion.code == "A"))
        criterion_id = criterion.id
    locked = signed_in(flow.app, chief).post(
        f"{JUDGING}/{flow.contest_id}/criteria/{criterion_id}/lock"
    )
    assert locked.status_code == 302


def _finalise(flow: Flow) -> None:
    assert flow.post("/finalise").status_code == 400  # the window is still open
    with flow.app.app_context():  # the appeal days pass
        contest = db.session.get(Contest, flow.contest_id)
        contest.appeals_close_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert flow.post("/finalise").status_code == 302
    assert contest_row(flow.app, flow.contest_id).stage is Stage.FINAL


def test_a_contest_from_creation_to_final_results_through_its_pages(app, client, people, trade_id):
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
    _create_and_enter(flow, workers)
    for step in (_decide_entries, _appoint_staff, _scheme_and_panels, _close_and_draw):
        step(flow)
    _theory_in_the_past(flow)
    _mark(flow, cast["judge"])
    _lock_reveal_publish(flow, cast["chief"], cast["officer"])
    _appeal_and_remark(flow, workers[0], cast["judge"], cast["chief"])
    _finalise(flow)
    # The final ranking, for any worker; the certificates for the organiser.
    ranking = signed_in(app, workers[2]).get(flow.url("/results"))
    assert ranking.status_code == 200 and "工人0" in ranking.text and "工人1" in ranking.text
    certificates = client.get(flow.url("/certificates.pdf"))
    assert certificates.status_code == 200 and certificates.data[:4] == b"%PDF"
    sheet = client.get(flow.url("/results/sheet.xlsx"))
    assert sheet.status_code == 200 and sheet.data[:2] == b"PK"
    with app.app_context():
        statuses = [db.session.get(Entry, entry_id).status for entry_id in flow.entries]
        assert statuses.count(EntryStatus.APPROVED) == 2
        table = standings(flow.contest_id).table
        assert table.loc[flow.entries[0], "total"] == pytest.approx(70.0)  # re-marked to 100
        assert bool(table.loc[flow.entries[0], "title"]) and b"/Count 1" in certificates.data
        appeal = db.session.scalar(select(Appeal))
        assert appeal.status is AppealStatus.UPHELD
        actions = set(db.session.scalars(select(AuditEntry.action)))
    for action in (
        "contest.mark_save",
        "contest.criterion_lock",
        "contest.reveal",
        "contest.publish",
        "contest.appeal",
        "contest.aspect_reopen",
        "contest.ruling",
        "contest.finalise",
    ):
        assert action in actions, action
