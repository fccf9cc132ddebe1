"""A skills contest for page and service tests, built by competitions.contests.lifecycle.

`build_contest(app, people, trade_id, until=Stage.X)` makes the people (each signs in with
tests.conftest.login), then takes a contest through the real services up to the stage.
"""

from dataclasses import dataclass

from competitions.contests import lifecycle
from competitions.contests.models import Stage
from guild.accounts.roles import Role
from tests.conftest import Person

WORKER_NAMES = ("赵一鸣", "钱二娃", "孙三强", "李四海", "周五洲", "吴六顺")


@dataclass
class ContestScene:
    """The contest's id and everyone in it, as Persons that can sign in."""

    contest_id: int
    trade_id: int
    organiser: Person
    chief: Person
    officer: Person
    judges: list[Person]
    contact: Person  # the enterprise contact of the first workers' enterprise
    workers: list[Person]
    enterprises: list[int]  # the workers' two enterprises, then the judges' one
    entries: dict[int, int]  # worker id → entry id
    aspects: dict[str, int]  # aspect code → id
    criteria: dict[str, int]  # criterion code → id


def build_contest(
    app,
    people,
    trade_id: int,
    until: Stage = Stage.PRACTICAL,
    marked: bool = True,
    workers: int = 6,
    name: str = "全省电工职业技能竞赛",
) -> ContestScene:
    """A contest with its staff and workers, taken by the services up to the stage."""
    tag = f"（{people.count}）" if people.count else ""  # a second contest's own enterprises
    firms = [people.enterprise(f"{city}电力有限公司{tag}", city) for city in ("杭州市", "宁波市")]
    judges_firm = people.enterprise(f"浙江省电力技能鉴定中心{tag}", "杭州市")
    organiser = people.make(Role.ORGANISER, real_name="陈组织")
    chief = people.make(Role.JUDGE, real_name="郑裁判长", enterprise_id=judges_firm)
    officer = people.make(real_name="钱加密", enterprise_id=judges_firm)
    judges = [
        people.make(Role.JUDGE, real_name=f"裁判{number}", enterprise_id=judges_firm)
        for number in ("甲", "乙", "丙")
    ]
    contact = people.make(Role.ENTERPRISE_CONTACT, real_name="林联络", enterprise_id=firms[0])
    entrants = [
        people.make(
            real_name=WORKER_NAMES[n % 6] + ("" if n < 6 else str(n)), enterprise_id=firms[n % 2]
        )
        for n in range(workers)
    ]
    ids = lifecycle.People(
        organiser.id, chief.id, officer.id, [j.id for j in judges], [w.id for w in entrants]
    )
    with app.app_context():
        built = lifecycle.build_contest(ids, trade_id, name, until=until, marked=marked)
    return ContestScene(
        built.contest_id,
        trade_id,
        organiser,
        chief,
        officer,
        judges,
        contact,
        entrants,
        [*firms, judges_firm],
        built.entries,
        built.aspects,
        built.criteria,
    )
