"""Activity of the studio scene's studios, made through the publication, courseware and event
services, for the report and evaluation tests (dates chosen around period edges).

Studio A (scene.studio_ids[0]) and B (studio_ids[1]) are in the city alliance (杭州市), itself
under the provincial one. In 2026, as counted in the first half (2026-01-01 … 2026-06-30):
A: 2 patents (invention 03-10, utility model 05-20), 2 results (12,500.50 + 100 yuan),
   2 events held (03-15, 06-01; one cancelled 04-10 does not count);
B: 1 patent (utility model 02-02), 1 result (0 yuan);
the city alliance itself: 1 event (05-05).
Outside the first half: A's invention 07-01, A's event 2026-06-30 20:00 UTC (07-01 in
Shanghai), A's design patent 2025-12-31 and result 2025-06-01 (999 yuan), A's courseware:
two items uploaded now (2026-11), one of them given a second version, and one more whose
created_at is set back to 2025-03-01. Checked in at A's 2026 events: B's member (once) and
the outsider (twice): 2 distinct people trained.
"""

import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from guild.accounts.models import User
from guild.audit.services import Actor
from guild.extensions import db
from studios.publication_models import Courseware, PatentType
from studios.services.achievements import AchievementFields, add_achievement
from studios.services.courseware import CoursewareFields, Upload, add_version, upload_courseware
from studios.services.events import (
    EventFields,
    cancel_event,
    check_in,
    create_event,
    sign_up,
)
from studios.services.patent_numbers import with_check
from studios.services.patents import PatentFields, add_patent
from tests.conftest import Person
from tests.studio_scene import StudioScene

TYPE_DIGIT = {PatentType.INVENTION: "1", PatentType.UTILITY_MODEL: "2", PatentType.DESIGN: "3"}
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def actor(person: Person) -> Actor:
    """The person as the services' actor."""
    return Actor(db.session.get(User, person.id), "127.0.0.1")


def patent(person: Person, studio_id: int, kind: PatentType, filed: date, serial: int):
    """A patent through the service, with a valid number of the filing year."""
    digits = f"{filed.year}{TYPE_DIGIT[kind]}{serial:07d}"
    fields = PatentFields(
        kind, with_check(digits), f"专利{serial}号", filed, member_ids=[person.id]
    )
    return add_patent(actor(person), studio_id, fields)


def result(person: Person, studio_id: int, achieved: date, yuan: str, title: str = "成果"):
    """An achievement through the service."""
    fields = AchievementFields(f"{title}{achieved.isoformat()}", achieved, benefit_yuan=yuan)
    return add_achievement(actor(person), studio_id, fields)


def event(person: Person, starts: datetime, studio_id=None, alliance_id=None):
    """An event created (the day before it starts) through the service."""
    fields = EventFields("技能交流会", "杭州市", starts, starts + timedelta(hours=2), 30)
    return create_event(actor(person), fields, studio_id, alliance_id, now=starts - timedelta(1))


def attend(organiser: Person, event_id: int, people: list[Person], starts: datetime) -> None:
    """People sign up before the event and the organiser checks them in."""
    for person in people:
        signup = sign_up(actor(person), event_id, now=starts - timedelta(hours=12))
        check_in(actor(organiser), event_id, signup.id, now=starts + timedelta(minutes=5))


def courseware(person: Person, studio_id: int, title: str) -> Courseware:
    """A PDF courseware item through the service."""
    upload = Upload(io.BytesIO(PDF), "课件.pdf")
    return upload_courseware(actor(person), studio_id, CoursewareFields(title), upload)


@dataclass
class Activity:
    """What the tests look up again."""

    studio_a: int
    studio_b: int
    courseware_ids: list[int]


def build_activity(app, scene: StudioScene) -> Activity:
    """Everything the module docstring lists, committed."""
    a, b = scene.studio_ids
    leader_a, leader_b = scene.leaders
    with app.app_context():
        patent(leader_a, a, PatentType.INVENTION, date(2026, 3, 10), 1)
        patent(leader_a, a, PatentType.UTILITY_MODEL, date(2026, 5, 20), 2)
        patent(leader_a, a, PatentType.INVENTION, date(2026, 7, 1), 3)
        patent(leader_a, a, PatentType.DESIGN, date(2025, 12, 31), 4)
        patent(leader_b, b, PatentType.UTILITY_MODEL, date(2026, 2, 2), 5)
        result(leader_a, a, date(2026, 4, 1), "12,500.50")
        result(leader_a, a, date(2026, 6, 30), "100")
        result(leader_a, a, date(2025, 6, 1), "999")
        result(leader_b, b, date(2026, 1, 1), "")
        first = datetime(2026, 3, 15, 1, 0)
        held = event(leader_a, first, studio_id=a)
        attend(leader_a, held.id, [scene.members[1], scene.outsider], first)
        second = datetime(2026, 6, 1, 2, 0)
        attend(leader_a, event(leader_a, second, studio_id=a).id, [scene.outsider], second)
        late = event(leader_a, datetime(2026, 6, 30, 20, 0), studio_id=a)
        dropped = event(leader_a, datetime(2026, 4, 10, 2, 0), studio_id=a)
        cancel_event(actor(leader_a), dropped.id, "下雨", now=datetime(2026, 4, 1))
        event(scene.city_admin, datetime(2026, 5, 5, 2, 0), alliance_id=scene.city_id)
        items = [courseware(leader_a, a, title) for title in ("电工基础", "焊接安全", "旧课件")]
        add_version(actor(leader_a), items[0].id, Upload(io.BytesIO(PDF), "课件v2.pdf"))
        items[2].created_at = datetime(2025, 3, 1, 2, 0)
        db.session.commit()
        assert late.id
        return Activity(a, b, [item.id for item in items])
