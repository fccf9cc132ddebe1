"""Who asks: the sample scenes' people, a holder of each role, a visitor."""

from dataclasses import dataclass

from competitions.contests.models import Stage
from guild.accounts.models import User
from guild.extensions import db
from tests.conftest import PASSWORD, People, Person, login
from tests.contest_scene import build_contest
from tests.test_access import VIEWERS

# The people of the sample scenes whose part (staff, entrant, leader, admin) opens pages,
# tried in this order; the first of them in the database is the sample scene's.
INSIDERS = (
    "陈组织",  # the sample contest's organiser
    "郑裁判长",  # its chief judge
    "钱加密",  # its encryption officer
    "裁判甲",  # a judge on its panels
    "林联络",  # the enterprise contact of its first entrants
    "赵一鸣",  # an entrant, who filed the sample appeal
    "王强",  # leader of studio A
    "赵敏",  # a member of studio A
    "杭联盟管",  # admin of the city alliance
    "省联盟管",  # admin of the provincial alliance
    "吴发榜",  # the enterprise contact who posted the sample challenge
    "刘洋",  # applicant of the pending studio
    "李四",  # owner of the sample training attempt
    "管理员",  # a platform admin
    "周游",  # a worker in no studio
)


@dataclass(frozen=True, eq=False)  # by identity: each viewer is made once
class Viewer:
    """Someone to sign in as (None: a visitor) and the roles they hold."""

    person: Person | None
    roles: frozenset = frozenset()

    @property
    def name(self) -> str:
        return self.person.real_name if self.person else "visitor"


def _viewer(person: Person) -> Viewer:
    return Viewer(person, db.session.get(User, person.id).role_set)


def _insiders(app) -> list[Viewer]:
    """The sample scenes' people named in INSIDERS, the first of each name."""
    with app.app_context():
        viewers = []
        for name in INSIDERS:
            user = db.session.scalar(
                db.select(User).where(User.real_name == name).order_by(User.id).limit(1)
            )
            viewers.append(_viewer(Person(user.id, user.phone, PASSWORD, name)))
        return viewers


def _role_holders(app, people: People) -> list[Viewer]:
    """A new user holding each role, in no scene."""
    made = [people.make(role, real_name=f"扫{role.value[:6]}") for role in VIEWERS if role]
    with app.app_context():
        return [_viewer(person) for person in made]


def _stage_contest(app, people: People, trade_id: int, stage: Stage):
    """A contest taken to the stage: its path values and its people, organiser first."""
    scene = build_contest(app, people, trade_id, until=stage, name=f"{stage.value}竞赛")
    values = {"contest_id": scene.contest_id}
    if scene.entries:
        values["entry_id"] = next(iter(scene.entries.values()))
    if scene.aspects:
        values["aspect_id"] = scene.aspects.get("A1.2") or next(iter(scene.aspects.values()))
    if scene.criteria:
        values["criterion_id"] = scene.criteria.get("A") or next(iter(scene.criteria.values()))
    staff = [scene.organiser, scene.chief, scene.officer, scene.judges[0], scene.contact]
    with app.app_context():
        return values, [_viewer(person) for person in [*staff, scene.workers[0]]]


def _client(app, viewer: Viewer):
    client = app.test_client()
    if viewer.person is not None:
        login(client, viewer.person)
    return client
