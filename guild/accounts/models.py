"""Accounts: users, the roles they hold, and the enterprises they belong to."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from guild.accounts.names import mask_name
from guild.accounts.roles import Role
from guild.extensions import db, enum_type
from guild.timeutil import utcnow


class Enterprise(db.Model):
    """An employer (单位/企业); every user belongs to at most one."""

    __tablename__ = "enterprises"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    credit_code: Mapped[str | None] = mapped_column(String(18), unique=True)
    city: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class User(UserMixin, db.Model):
    """A person who signs in with a phone number and a password."""

    __tablename__ = "users"
    # Headcounts of active workers per enterprise (participation rates) read only this index.
    __table_args__ = (Index("ix_users_enterprise_id_is_active", "enterprise_id", "is_active"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(11), unique=True)
    real_name: Mapped[str] = mapped_column(String(30))
    password_hash: Mapped[str] = mapped_column(String(255))
    city: Mapped[str] = mapped_column(String(20))
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"), index=True)
    locale: Mapped[str | None] = mapped_column(String(10))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    enterprise: Mapped[Enterprise | None] = relationship()
    roles: Mapped[list["UserRole"]] = relationship(
        back_populates="user",
        lazy="selectin",
        cascade="all, delete-orphan",
        foreign_keys="UserRole.user_id",
    )

    @property
    def role_set(self) -> frozenset[Role]:
        """The roles this user holds."""
        return frozenset(grant.role for grant in self.roles)

    def has_role(self, role: Role) -> bool:
        """Tell whether the user holds the role."""
        return role in self.role_set

    @property
    def public_name(self) -> str:
        """The masked name other users see (张*三)."""
        return mask_name(self.real_name)


class UserRole(db.Model):
    """A role granted to a user."""

    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[Role] = mapped_column(enum_type(Role), primary_key=True)
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship(back_populates="roles", foreign_keys=[user_id])


class UserSession(db.Model):
    """One signed-in browser; deleting the row signs it out at its next request."""

    __tablename__ = "user_sessions"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
