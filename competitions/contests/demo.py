"""Demo data for skills contests: one being marked, one in publicity, one taking entries.

Loaded by `demo load` after the training demo (competitions.demo), whose workers and 电工 bank
it uses. The demo judge is chief judge and a judge of each contest, the demo administrator its
encryption officer, and the demo worker an entrant of the first two; everything goes through
the real services (competitions.contests.lifecycle).
"""

import secrets
from datetime import timedelta

from sqlalchemy import select

from competitions.contests.lifecycle import People, build_contest
from competitions.contests.models import Stage
from competitions.demo import PHONE_PREFIX, WORKERS
from guild.accounts.models import Enterprise, User
from guild.accounts.roles import Role
from guild.accounts.services.users import Registration, register_user
from guild.audit.services import Actor
from guild.extensions import db
from guild.timeutil import utcnow
from guild.trades.models import Trade

TRADE = "电工"
JUDGES_FIRM = "温州精工机械有限公司"  # the demo judge's: no entrant comes from it (recusal)
JUDGES_FIRM_INDEX = 2  # its place in guild.demo.DEMO_ENTERPRISES
EXTRA_JUDGES = (("刘振东", "13700009001"), ("孙海鹰", "13700009002"))
# The papers were sat some days ago, apart from the demo worker's recent days of practice.
THEORY_DAYS_AGO = 10
CONTESTS = (
    ("2026年全省电工职业技能竞赛（决赛）", Stage.PRACTICAL, False, 6),
    ("2026年杭州市电工技能比武", Stage.PUBLICITY, True, 8),
    ("2027年全省电工职业技能竞赛（预赛）", Stage.REGISTRATION, False, 4),
)


def load_contest_demo(actor: Actor, accounts_by_role: dict[str, User]) -> None:
    """Three contests of 电工 at the marking, publicity and registration stages."""
    trade_id = db.session.scalar(select(Trade.id).where(Trade.name == TRADE))
    judge = accounts_by_role[Role.JUDGE.value]
    judges = [judge.id, *_extra_judges()]
    me = accounts_by_role[Role.WORKER.value].id
    others = _entrants(exclude={me})
    for days_ago, (name, stage, marked, size) in enumerate(CONTESTS, start=THEORY_DAYS_AGO):
        workers = others[: size - 1] if stage is Stage.REGISTRATION else [me, *others[: size - 1]]
        people = People(
            organiser=accounts_by_role[Role.ORGANISER.value].id,
            chief=judge.id,
            officer=accounts_by_role[Role.ADMIN.value].id,
            judges=judges,
            workers=workers,
        )
        held = utcnow() - timedelta(days=days_ago)
        build_contest(people, trade_id, name, until=stage, marked=marked, theory_at=held)
        others = others[size - 1 :] + others[: size - 1]  # another mix in the next contest


def _extra_judges() -> list[int]:
    """Two more judges of the demo judge's enterprise, with passwords nobody knows."""
    firm = db.session.scalar(select(Enterprise).where(Enterprise.name == JUDGES_FIRM))
    made = []
    for name, phone in EXTRA_JUDGES:
        user = register_user(
            Registration(name, phone, secrets.token_urlsafe(24) + "a1", firm.city, firm.id),
            roles=(Role.WORKER, Role.JUDGE),
        )
        made.append(user.id)
    db.session.flush()
    return made


def _entrants(exclude: set[int]) -> list[int]:
    """The training demo's 电工 workers, none of the judges' enterprise (index 2)."""
    phones = [
        f"{PHONE_PREFIX}{number:04d}"
        for number, (_name, firm, _city, trade) in enumerate(WORKERS, start=1)
        if trade == TRADE and firm != JUDGES_FIRM_INDEX
    ]
    found = dict(
        db.session.execute(select(User.phone, User.id).where(User.phone.in_(phones))).all()
    )
    return [found[phone] for phone in phones if found[phone] not in exclude]
