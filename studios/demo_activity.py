"""Demo courseware and events for the studios that studios.demo creates.

Loaded by `demo load` through studios.demo, which runs it after the studios exist.
Courseware files are small real documents made here: a one-page PDF and a minimal Word
document, tagged with trades of the catalogue. The events have sign-ups, a waiting list and
a check-in, all through the real services.
"""

import io
import zipfile
from datetime import timedelta

from sqlalchemy import select

from guild.accounts.models import User
from guild.accounts.roles import Role
from guild.audit.services import Actor
from guild.extensions import db
from guild.timeutil import utcnow
from guild.trades.models import Trade
from studios.models import MemberStatus, Studio, StudioMember
from studios.services import courseware, events

DEMO_COURSEWARE = (
    ("变电站倒闸操作规范", "倒闸操作的步骤、危险点与防范措施。", "pdf", ("电工",)),
    ("带电作业安全培训", "带电作业的安全距离、绝缘工具与监护要求。", "docx", ("电工", "电力")),
)
DEMO_EVENTS = (
    ("变电运维技术交流会", "杭州市滨江区创新中心三楼", 10, 3, 8),
    ("焊接工艺现场观摩", "温州精工机械有限公司二号车间", 2, 5, 4),
)


def tiny_pdf(text: str = "Guild courseware") -> bytes:
    """A valid one-page PDF showing one line of ASCII text, with a correct xref table."""
    safe = "".join(c for c in text if 32 <= ord(c) < 127 and c not in "()\\")
    stream = f"BT /F1 18 Tf 72 720 Td ({safe}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def tiny_docx(text: str = "Guild courseware") -> bytes:
    """A minimal Word document (the parts Word needs to open it)."""
    types = (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/'
        'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
        '"application/xml"/><Override PartName="/word/document.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
        '.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target='
        '"word/document.xml"/></Relationships>'
    )
    document = (
        '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats'
        f'.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p>'
        "</w:body></w:document>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", types)
        package.writestr("_rels/.rels", rels)
        package.writestr("word/document.xml", document)
    return buffer.getvalue()


def _demo_studios() -> list[Studio]:
    from studios.demo import DEMO_STUDIO_NAMES

    found = db.session.scalars(select(Studio).where(Studio.name.in_(DEMO_STUDIO_NAMES)))
    by_name = {studio.name: studio for studio in found}
    return [by_name[name] for name in DEMO_STUDIO_NAMES if name in by_name]


def _trade_ids(names: tuple[str, ...]) -> list[int]:
    query = select(Trade.id).where(Trade.name.in_(names))
    return list(db.session.scalars(query))


def _members(studio_id: int) -> list[User]:
    query = (
        select(User)
        .join(StudioMember, StudioMember.user_id == User.id)
        .where(StudioMember.studio_id == studio_id, StudioMember.status == MemberStatus.ACTIVE)
        .order_by(StudioMember.id)
    )
    return list(db.session.scalars(query))


def _add_courseware(studio: Studio) -> None:
    leader = Actor(db.session.get(User, studio.leader_id), "demo")
    for title, description, kind, trades in DEMO_COURSEWARE:
        content = tiny_pdf(title.encode("ascii", "ignore").decode() or "Guild")
        if kind == "docx":
            content = tiny_docx(title)
        fields = courseware.CoursewareFields(title, description, _trade_ids(trades))
        upload = courseware.Upload(io.BytesIO(content), f"{title}.{kind}")
        courseware.upload_courseware(leader, studio.id, fields, upload)


def _add_events(studios: list[Studio], accounts_by_role: dict[str, User]) -> None:
    start = utcnow().replace(minute=0, second=0, microsecond=0) + timedelta(days=7)
    for (title, place, capacity, sign_ups, hours), studio in zip(
        DEMO_EVENTS, studios, strict=False
    ):
        leader = Actor(db.session.get(User, studio.leader_id), "demo")
        fields = events.EventFields(
            title, place, start, start + timedelta(hours=hours), capacity, f"{studio.name}主办。"
        )
        event = events.create_event(leader, fields, studio_id=studio.id)
        people = {user.id: user for user in [*_members(studio.id), *accounts_by_role.values()]}
        for person in list(people.values())[:sign_ups]:
            events.sign_up(Actor(person, "demo"), event.id)
        first = events.signups_of(event.id)[0]
        events.check_in(leader, event.id, first.id)
        start += timedelta(days=3)


def load_activity_demo(actor: Actor, accounts_by_role: dict[str, User]) -> None:
    """Courseware for the first two demo studios, and an event each with sign-ups."""
    studios = _demo_studios()[:2]
    for studio in studios:
        _add_courseware(studio)
    others = {k: v for k, v in accounts_by_role.items() if k != Role.ADMIN.value}
    _add_events(studios, others)
    db.session.flush()
