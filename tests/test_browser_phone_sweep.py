"""Every HTML page at 375 px in Chromium, on the demo data, as each demo account that may see it."""

import io
import json
import re
import time
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from guild.accounts.roles import Role
from guild.extensions import db
from guild.timeutil import utcnow
from tests.conftest import ARTIFACTS, CHROMIUM, Person, login, shot, union_today
from tests.test_access import _expected, _urls
from tests.test_banks import PNG

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"
    ),
]

WIDTH = 375
VISITOR = "visitor"
DOWNLOADS = (".xlsx", ".pdf", ".csv")
CLOSED_YEAR = 2023  # a year of demo patents and achievements, closed to fill the history
NOTES = ARTIFACTS / "phone-sweep.json"

# Elements past the right edge, outside any scrolling or clipping box; widest first.
OFFENDERS_JS = """(width) => {
  const free = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== 'visible') return false;
    }
    return true;
  };
  const describe = (el, r) => ({
    tag: el.tagName.toLowerCase(), cls: String(el.className).slice(0, 80), id: el.id,
    right: Math.round(r.right), width: Math.round(r.width),
    text: (el.innerText || el.value || '').trim().replace(/\\s+/g, ' ').slice(0, 60)});
  const found = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= width + 0.5 || !free(el)) continue;
    const parent = el.parentElement.getBoundingClientRect();
    found.push({...describe(el, r), outermost: parent.right <= width + 0.5});
  }
  found.sort((a, b) => b.right - a.right);
  return found.slice(0, 1).concat(found.filter((f) => f.outermost).slice(0, 3));
}"""

# Figures and dates split over two lines ("10/0%"): a cell or badge holding only a
# number, date or time whose text runs over more than one line box.
SPLIT_FIGURES_JS = """() => {
  const figure = /^[-+]?[0-9][0-9.,:%/ -]*$/;
  const split = [];
  for (const el of document.body.querySelectorAll('td, th, .badge, dd')) {
    const text = el.innerText.trim();
    if (!figure.test(text) || text.length > 20) continue;
    const range = document.createRange();
    range.selectNodeContents(el);
    const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
    if (lines.size > 1) split.push(text);
  }
  return [...new Set(split)].slice(0, 5);
}"""

# Hints for a person to look at, not failures: Latin words in the visible text, text cut off
# by its box, table cells too narrow to read, and controls drawn over each other.
HINTS_JS = """() => {
  const inside = (r, s) =>
    r.right > s.left && r.left < s.right && r.bottom > s.top && r.top < s.bottom;
  const seen = (el) => {
    const r = el.getBoundingClientRect();
    if (r.width <= 2 || r.height <= 2 || !el.checkVisibility({visibilityProperty: true}))
      return false;
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflow !== 'visible' && !inside(r, p.getBoundingClientRect()))
        return false;
    }
    return true;
  };
  const text = (el) => (el.innerText || el.value || el.name || el.tagName).trim().slice(0, 40);
  const words = (document.body.innerText.match(/[A-Za-z][A-Za-z'-]{2,}(?: [A-Za-z'-]+)*/g)
    || []).filter((w) => !/^(English|PDF|Excel|Word|PNG|JPG|JPEG|DOCX|XLSX|PPTX|CSV)$/i.test(w));
  const all = [...document.body.querySelectorAll('*')];
  const cut = all.filter((el) => !el.children.length && el.scrollWidth > el.clientWidth + 1
    && getComputedStyle(el).overflowX === 'hidden' && seen(el)).map(text);
  const narrow = all.filter((el) => /^T[DH]$/.test(el.tagName) && el.clientWidth < 40
    && el.innerText.trim().length > 3 && seen(el)).map(text);
  const controls = all.filter((el) => el.matches('a.btn, button, input, select, textarea')
    && seen(el)).map((el) => [el, el.getBoundingClientRect()]);
  const overlaps = [];
  controls.forEach(([a, r], i) => controls.slice(i + 1).forEach(([b, s]) => {
    const x = Math.min(r.right, s.right) - Math.max(r.left, s.left);
    const y = Math.min(r.bottom, s.bottom) - Math.max(r.top, s.top);
    if (x > 2 && y > 2 && !a.contains(b) && !b.contains(a)) overlaps.push([text(a), text(b)]);
  }));
  const unique = (list) => [...new Set(list)].slice(0, 12);
  return {english: unique(words), cut: unique(cut), narrow: unique(narrow),
          overlaps: overlaps.slice(0, 10)};
}"""


def _demo_accounts(app) -> dict[str, Person]:
    """The demo account of each role, with the password `demo load` wrote down."""
    from guild.accounts.models import User

    accounts = {}
    with app.app_context():
        with open(app.config["DEMO_ACCOUNTS_FILE"], encoding="utf-8") as listing:
            lines = listing.read().splitlines()
        for role, phone, password, name in (line.split("\t") for line in lines if line):
            user_id = db.session.scalar(select(User.id).where(User.phone == phone))
            accounts[role] = Person(user_id, phone, password, name)
    return accounts


def _enrich(app, accounts: dict[str, Person]) -> None:
    """What the demo lacks: a photo, a claim's file, an appeal, a closed year, an open paper."""
    from competitions.contests.models import Contest, Stage
    from competitions.contests.services.appeals import file_appeal
    from competitions.training.models import Mode
    from competitions.training.services.attempts import Clock, start_attempt
    from guild.accounts.models import User
    from guild.audit.services import Actor
    from guild.trades.models import Trade
    from studios.challenge_models import ChallengeClaim
    from studios.models import Studio
    from studios.publication_models import Achievement
    from studios.services.achievement_photos import add_photo
    from studios.services.challenge_files import attach_file
    from studios.services.courseware import Upload
    from studios.services.evaluation_years import name_demonstration

    with app.app_context():
        worker = db.session.get(User, accounts[Role.WORKER.value].id)
        me = Actor(worker, "127.0.0.1")
        studio = db.session.scalar(select(Studio).where(Studio.leader_id == worker.id))
        achievement = db.session.scalar(
            select(Achievement.id).where(Achievement.studio_id == studio.id)
        )
        add_photo(me, studio.id, achievement, io.BytesIO(PNG))  # a real (1 px) picture
        claim = db.session.scalar(
            select(ChallengeClaim).where(ChallengeClaim.studio_id == studio.id)
        )
        pdf = Upload(
            io.BytesIO(b"%PDF-1.7\n%%EOF\n"), "减速箱振动频谱与油液联合预警方案（第二版）.pdf"
        )
        attach_file(me, claim.challenge_id, pdf, claim_id=claim.id)
        publicity = db.session.scalar(select(Contest.id).where(Contest.stage == Stage.PUBLICITY))
        file_appeal(me, publicity, "实操第二模块的评分与现场记录不一致，申请复核第三项得分。")
        admin = Actor(db.session.get(User, accounts[Role.ADMIN.value].id), "127.0.0.1")
        name_demonstration(admin, CLOSED_YEAR, 1)
        trade = db.session.scalar(select(Trade).where(Trade.name == "电工"))
        start_attempt(worker, trade, Mode.RANDOM, Clock(datetime.now(), union_today()))
        _draft_challenge(accounts)
        db.session.commit()


def _draft_challenge(accounts: dict[str, Person]) -> None:
    """A challenge the demo enterprise contact has written but not yet submitted."""
    from guild.accounts.models import User
    from guild.audit.services import Actor
    from studios.models import Alliance
    from studios.services.challenges import ChallengeFields, create_challenge

    contact = db.session.get(User, accounts[Role.ENTERPRISE_CONTACT.value].id)
    alliance = db.session.scalar(select(Alliance.id).where(Alliance.city == "杭州市"))
    fields = ChallengeFields(
        "化纤长丝卷绕张力波动在线检测与自动补偿系统研制",
        "卷绕张力波动造成断头和毛丝，需在线检测并自动补偿，改造不停产。",
        utcnow() + timedelta(days=40),
        alliance,
        indicators="张力波动不超过±2%，断头率下降50%",
        field="智能制造",
        reward_yuan="1250000",
        winners_wanted=1,
    )
    create_challenge(Actor(contact, "127.0.0.1"), fields)


def _first(query):
    return db.session.scalar(query.limit(1))


def _contest_sets(accounts: dict[str, Person]) -> list[dict]:
    """One set per demo contest (being marked, in publicity, taking entries)."""
    from competitions.contests.marking_models import Appeal, Aspect, Criterion, PanelJudge
    from competitions.contests.models import Contest, Entry, EntryMember

    judge, worker = accounts[Role.JUDGE.value].id, accounts[Role.WORKER.value].id
    sets = []
    for contest in db.session.scalars(select(Contest.id).order_by(Contest.id)):
        panel = select(PanelJudge.aspect_id).where(
            PanelJudge.contest_id == contest, PanelJudge.user_id == judge
        )
        mine = select(EntryMember.entry_id).where(
            EntryMember.contest_id == contest, EntryMember.user_id == worker
        )
        sets.append(
            {
                "contest_id": contest,
                "aspect_id": _first(panel) or _first(select(Aspect.id)),
                "criterion_id": _first(select(Criterion.id).where(Criterion.contest_id == contest)),
                "entry_id": _first(mine)
                or _first(select(Entry.id).where(Entry.contest_id == contest)),
                "appeal_id": _first(select(Appeal.id)),
            }
        )
    return sets


def _challenge_sets() -> list[dict]:
    """One set per demo challenge (open, in delivery, finished, waiting for review)."""
    from studios.challenge_models import Challenge, ChallengeClaim, ChallengeFile, Milestone

    sets = []
    for challenge in db.session.scalars(select(Challenge.id).order_by(Challenge.id)):
        claim = _first(
            select(ChallengeClaim.id)
            .where(ChallengeClaim.challenge_id == challenge)
            .order_by(ChallengeClaim.id.desc())
        )
        milestone = _first(select(Milestone.id).where(Milestone.claim_id == claim))
        sets.append(
            {
                "challenge_id": challenge,
                "claim_id": claim,
                "milestone_id": milestone,
                "file_id": _first(select(ChallengeFile.id)),
            }
        )
    return sets


def _studio_sets(accounts: dict[str, Person]) -> list[dict]:
    """The demo worker's studio (with the photo) and a national one led by someone else."""
    from studios.activity_models import Event, EventSignup
    from studios.models import AllianceMembership, Studio
    from studios.publication_models import Achievement, AchievementPhoto, Courseware, Patent

    worker = accounts[Role.WORKER.value].id
    sets = []
    for studio in db.session.scalars(select(Studio.id).order_by(Studio.id).limit(2)):
        of_studio = lambda model, studio=studio: _first(  # noqa: E731
            select(model.id).where(model.studio_id == studio)
        )
        event = of_studio(Event)
        sets.append(
            {
                "studio_id": studio,
                "patent_id": of_studio(Patent),
                "achievement_id": of_studio(Achievement),
                "photo_id": _first(select(AchievementPhoto.id)),
                "courseware_id": of_studio(Courseware),
                "number": 1,
                "event_id": event,
                "signup_id": _first(select(EventSignup.id).where(EventSignup.event_id == event)),
                "membership_id": _first(select(AllianceMembership.id)),
                "user_id": worker,
            }
        )
    return sets


def _training_sets(accounts: dict[str, Person]) -> list[dict]:
    """The 电工 bank, and the worker's open practice and a submitted exam."""
    from competitions.campaigns.models import Campaign
    from competitions.questions.models import Question
    from competitions.training.models import Attempt, ExamBlueprint
    from guild.trades.models import Trade

    trade = _first(select(Trade.id).where(Trade.name == "电工"))
    mine = select(Attempt.id).where(Attempt.user_id == accounts[Role.WORKER.value].id)
    base = {
        "trade_id": trade,
        "question_id": _first(select(Question.id).where(Question.trade_id == trade)),
        "key": "none",
        "blueprint_id": _first(select(ExamBlueprint.id)),
        "campaign_id": _first(select(Campaign.id)),
        "position": 1,
    }
    open_one = _first(mine.where(Attempt.submitted_at.is_(None)))
    submitted = _first(mine.where(Attempt.submitted_at.is_not(None)).order_by(Attempt.id))
    return [base | {"attempt_id": open_one}, base | {"attempt_id": submitted}]


def _alliance_sets() -> list[dict]:
    """The provincial alliance and the Hangzhou one; this year and a closed year."""
    from studios.models import Alliance

    ids = db.session.scalars(select(Alliance.id).order_by(Alliance.id).limit(2))
    years = [union_today().year, CLOSED_YEAR]
    return [
        {"alliance_id": alliance, "year": year} for alliance, year in zip(ids, years, strict=True)
    ]


def _value_sets(app, accounts: dict[str, Person]) -> list[dict]:
    """Sets of URL values: each set of a group varies the base (the first value of each key)."""
    with app.app_context():
        groups = [
            _contest_sets(accounts),
            _challenge_sets(),
            _studio_sets(accounts),
            _training_sets(accounts),
            _alliance_sets(),
        ]
    base = {}
    for one in (one for group in groups for one in group):
        base |= {k: v for k, v in one.items() if v is not None and k not in base}
    return [base | {k: v for k, v in one.items() if v is not None} for g in groups for one in g]


def _pages(app, value_sets: list[dict]) -> list[tuple[str, str]]:
    """(endpoint, URL) of every GET page that may render HTML, once each."""
    pages = {}
    for values in value_sets:
        for endpoint, method, url in _urls(app, values):
            skipped = endpoint == "auth.logout" or "/api/" in url or url.endswith(DOWNLOADS)
            if method == "GET" and not skipped:
                pages.setdefault(url, endpoint)
    return [(endpoint, url) for url, endpoint in pages.items()]


def _visits(app, accounts: dict[str, Person], pages) -> tuple[list[tuple], list[str]]:
    """(viewer, endpoint, URL) for each viewer the rule lets in and who is shown HTML;
    and the pages nobody was shown."""
    clients = {VISITOR: app.test_client()}
    for role, person in accounts.items():
        clients[role] = app.test_client()
        login(clients[role], person)
    visits, unseen = [], []
    for endpoint, url in pages:
        shown = []
        for viewer, client in clients.items():
            if _expected(endpoint, None if viewer == VISITOR else Role(viewer)) != "allowed":
                continue
            response = client.get(url)
            if response.status_code == 200 and response.mimetype == "text/html":
                shown.append((viewer, endpoint, url))
            response.close()
        visits += shown
        if not shown:
            unseen.append(f"{endpoint} {url}")
    return sorted(visits, key=lambda visit: list(clients).index(visit[0])), unseen


def _sign_in(page, base: str, viewer: str, accounts: dict[str, Person]) -> None:
    """Start over as a visitor, then sign in through the form unless the viewer is one."""
    page.context.clear_cookies()
    if viewer == VISITOR:
        return
    person = accounts[viewer]
    page.goto(base + "/account/login")
    page.fill("#phone", person.phone)
    page.fill("#password", person.password)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(base + "/")


def _visit(page, console_errors: list[str], base: str, visit: tuple) -> tuple[dict, str | None]:
    """Open a page: its hints, and a line describing what is wrong (None when nothing)."""
    viewer, endpoint, url = visit
    console_errors.clear()
    response = page.goto(base + url, wait_until="load")
    status = response.status if response else 0
    width = page.evaluate("document.documentElement.scrollWidth")
    shot(page, "sweep-" + viewer + "-" + (re.sub(r"[^0-9A-Za-z]+", "-", url).strip("-") or "home"))
    hints = {"viewer": viewer, "url": url, "width": width, **page.evaluate(HINTS_JS)}
    wrong = []
    if status >= 400:
        wrong.append(f"status {status}")
    if page.url != base + url:
        hints["landed"] = page.url.removeprefix(base)
    if width > WIDTH:
        offenders = page.evaluate(OFFENDERS_JS, WIDTH)
        hints["offenders"] = offenders
        wrong.append(f"scrollWidth {width}: " + "; ".join(map(_describe, offenders)))
    if console_errors:
        wrong.append(f"console errors {console_errors[:3]}")
    if split := page.evaluate(SPLIT_FIGURES_JS):
        wrong.append(f"figures split over lines {split}")
    return hints, (f"{url} as {viewer} ({endpoint}): " + " | ".join(wrong) if wrong else None)


def _describe(element: dict) -> str:
    text = f"<{element['tag']} class='{element['cls']}'> right={element['right']}"
    return text + f" '{element['text']}'" + (" (outermost)" if element["outermost"] else "")


def _check_detector(page, base: str) -> None:
    """The checks see a page made too wide on purpose (a sweep that passes must mean it)."""
    page.goto(base + "/")
    page.evaluate(
        "() => { const probe = document.createElement('div'); probe.id = 'sweep-probe';"
        " probe.textContent = '宽'; probe.style.width = '600px';"
        " document.querySelector('main, .container, body').appendChild(probe); }"
    )
    assert page.evaluate("document.documentElement.scrollWidth") > WIDTH
    offenders = page.evaluate(OFFENDERS_JS, WIDTH)
    assert offenders and offenders[0]["id"] == "sweep-probe", offenders


def test_every_page_fits_a_phone(live_server, phone_page, runner):
    """Every HTML page, as each demo role that may see it: no overflow, no console error."""
    from tests.conftest import LIVE_APPS

    started = time.monotonic()
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    app = LIVE_APPS[live_server]
    accounts = _demo_accounts(app)
    _enrich(app, accounts)
    probe = runner.app
    visits, unseen = _visits(probe, accounts, _pages(probe, _value_sets(probe, accounts)))
    page, console_errors = phone_page
    _check_detector(page, live_server)
    failures, hints, viewer = [], [], None
    for visit in visits:
        if visit[0] != viewer:
            viewer = visit[0]
            _sign_in(page, live_server, viewer, accounts)
        found, wrong = _visit(page, console_errors, live_server, visit)
        hints.append(found)
        if wrong:
            failures.append(wrong)
    seconds = round(time.monotonic() - started)
    summary = {"seconds": seconds, "visits": len(visits), "unseen": unseen, "failures": failures}
    NOTES.write_text(json.dumps({**summary, "pages": hints}, ensure_ascii=False, indent=1))
    assert not failures, f"{len(failures)} of {len(visits)} visits:\n" + "\n".join(failures)
