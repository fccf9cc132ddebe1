"""Enterprises: listing and creating them."""

from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError

from guild.accounts.models import Enterprise, User
from guild.audit.services import Actor, record
from guild.errors import DomainError
from guild.extensions import db
from guild.text import like_pattern


def create_enterprise(actor: Actor, name: str, city: str, credit_code: str | None) -> Enterprise:
    """Create an enterprise; its name and credit code must be new."""
    enterprise = Enterprise(name=name.strip(), city=city, credit_code=credit_code or None)
    try:
        with db.session.begin_nested():
            db.session.add(enterprise)
    except IntegrityError as error:
        field = "credit_code" if credit_code and _credit_code_taken(credit_code) else "name"
        message = _l("An enterprise with this name or credit code already exists.")
        raise DomainError(message, field=field) from error
    record(actor, "enterprise.create", enterprise, None, enterprise_snapshot(enterprise))
    return enterprise


def _credit_code_taken(credit_code: str) -> bool:
    query = db.select(Enterprise.id).where(Enterprise.credit_code == credit_code)
    return db.session.scalar(query) is not None


def enterprise_snapshot(enterprise: Enterprise) -> dict:
    """The audited fields of an enterprise."""
    return {"name": enterprise.name, "city": enterprise.city, "credit_code": enterprise.credit_code}


def enterprise_choices() -> list[tuple[int, str]]:
    """(id, name) of every enterprise, for select fields."""
    rows = db.session.execute(db.select(Enterprise.id, Enterprise.name).order_by(Enterprise.name))
    return [(row.id, row.name) for row in rows]


def list_enterprises(search: str, page: int, per_page: int) -> Pagination:
    """One page of enterprises, filtered by a name fragment."""
    query = db.select(Enterprise).order_by(Enterprise.name)
    if search:
        query = query.where(Enterprise.name.ilike(like_pattern(search), escape="\\"))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def member_counts(enterprises: list[Enterprise]) -> dict[int, int]:
    """How many users belong to each of the enterprises, in one query."""
    ids = [enterprise.id for enterprise in enterprises]
    query = (
        db.select(User.enterprise_id, func.count(User.id))
        .where(User.enterprise_id.in_(ids))
        .group_by(User.enterprise_id)
    )
    return {enterprise_id: count for enterprise_id, count in db.session.execute(query)}
