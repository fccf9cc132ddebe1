"""What studios publish: patents with their legal status history, achievements with their
photos, and courseware with its versions and trade tags.

`challenge_id` columns name the challenge (揭榜挂帅) a publication came from.
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from guild.extensions import db, enum_type
from guild.timeutil import utcnow


class PatentType(StrEnum):
    """The three kinds of Chinese patent; the application number's type digit names it."""

    INVENTION = "invention"  # 发明
    UTILITY_MODEL = "utility_model"  # 实用新型
    DESIGN = "design"  # 外观设计


class PatentStatus(StrEnum):
    """A patent's legal status."""

    PENDING = "pending"
    IN_FORCE = "in_force"
    LAPSED = "lapsed"


class CoursewareKind(StrEnum):
    """What a courseware file is, as its content shows (never its name)."""

    PDF = "pdf"
    DOCX = "docx"
    PPTX = "pptx"
    XLSX = "xlsx"
    WPS = "wps"  # WPS Office's own formats (.wps/.et/.dps: OLE compound files)
    OFD = "ofd"  # 开放版式文档 (GB/T 33190), a zip package
    MP4 = "mp4"


class Patent(db.Model):
    """A patent of a studio, by its application number (unique across the platform)."""

    __tablename__ = "patents"
    __table_args__ = (Index("ix_patents_studio_id_filed_on", "studio_id", "filed_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id", ondelete="CASCADE"))
    patent_type: Mapped[PatentType] = mapped_column(enum_type(PatentType))
    # Stored as written by the office: 202310123456.7 (or the 8-digit pre-2003 form).
    application_number: Mapped[str] = mapped_column(String(16), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    # [{"user_id": 12, "name": "王伟"}, {"user_id": null, "name": "外部发明人"}]
    inventors: Mapped[list[dict]] = mapped_column(JSON, default=list)
    filed_on: Mapped[date]
    granted_on: Mapped[date | None]
    status: Mapped[PatentStatus] = mapped_column(
        enum_type(PatentStatus), default=PatentStatus.PENDING
    )
    abstract: Mapped[str] = mapped_column(Text, default="")
    challenge_id: Mapped[int | None] = mapped_column(
        ForeignKey("challenges.id", ondelete="SET NULL"), index=True
    )
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class PatentStatusChange(db.Model):
    """One dated step of a patent's legal status (pending → in force → lapsed)."""

    __tablename__ = "patent_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    patent_id: Mapped[int] = mapped_column(ForeignKey("patents.id", ondelete="CASCADE"), index=True)
    status: Mapped[PatentStatus] = mapped_column(enum_type(PatentStatus))
    changed_on: Mapped[date]
    note: Mapped[str] = mapped_column(String(200), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class Achievement(db.Model):
    """An innovation result (创新成果) with its economic benefit in fen."""

    __tablename__ = "achievements"
    __table_args__ = (Index("ix_achievements_studio_id_achieved_on", "studio_id", "achieved_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    summary_markdown: Mapped[str] = mapped_column(Text, default="")
    summary_html: Mapped[str] = mapped_column(Text, default="")  # rendered, cleaned by nh3
    category: Mapped[str] = mapped_column(String(40), default="")
    benefit_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    awards: Mapped[str] = mapped_column(Text, default="")
    achieved_on: Mapped[date]
    challenge_id: Mapped[int | None] = mapped_column(
        ForeignKey("challenges.id", ondelete="SET NULL"), index=True
    )
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class AchievementPhoto(db.Model):
    """A photo of an achievement, stored under a random key."""

    __tablename__ = "achievement_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    achievement_id: Mapped[int] = mapped_column(
        ForeignKey("achievements.id", ondelete="CASCADE"), index=True
    )
    storage_key: Mapped[str] = mapped_column(String(80))
    content_type: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(default=0)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)


class Courseware(db.Model):
    """A teaching file (培训课件) of a studio; each new upload is a version, old ones kept."""

    __tablename__ = "courseware"
    __table_args__ = (Index("ix_courseware_studio_id_created_at", "studio_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[CoursewareKind] = mapped_column(enum_type(CoursewareKind))
    version_count: Mapped[int] = mapped_column(default=0)
    download_count: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CoursewareVersion(db.Model):
    """One uploaded file of a courseware item: number 1 is the first upload."""

    __tablename__ = "courseware_versions"
    __table_args__ = (UniqueConstraint("courseware_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    courseware_id: Mapped[int] = mapped_column(ForeignKey("courseware.id", ondelete="CASCADE"))
    number: Mapped[int]
    kind: Mapped[CoursewareKind] = mapped_column(enum_type(CoursewareKind))
    storage_key: Mapped[str] = mapped_column(String(80))
    filename: Mapped[str] = mapped_column(String(120))  # made safe for Content-Disposition
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)


class CoursewareTrade(db.Model):
    """A trade a courseware item teaches: workers training in it see the item."""

    __tablename__ = "courseware_trades"

    courseware_id: Mapped[int] = mapped_column(
        ForeignKey("courseware.id", ondelete="CASCADE"), primary_key=True
    )
    trade_id: Mapped[int] = mapped_column(ForeignKey("trades.id"), primary_key=True, index=True)
