"""Alliances and their administrators: platform admins create them and appoint who approves."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from guild.accounts.models import User
from guild.accounts.roles import Role
from guild.audit.labels import label_actions
from guild.audit.services import Actor, record
from guild.errors import DomainError
from guild.extensions import db
from guild.transactions import begin_writing
from studios.models import Alliance, AllianceAdmin, AllianceKind
from studios.services.access import NotAllowed, get_alliance

NAME_MAX, CITY_MAX, INDUSTRY_MAX, DESCRIPTION_MAX = 80, 20, 40, 2000

label_actions(
    {
        "alliance.create": _l("Alliance created"),
        "alliance.admin_appoint": _l("Alliance administrator appointed"),
        "alliance.admin_remove": _l("Alliance administrator removed"),
    }
)


@dataclass(frozen=True)
class AllianceFields:
    """What a platform admin gives for a new alliance."""

    name: str
    kind: AllianceKind
    parent_id: int | None = None
    city: str = ""
    industry: str = ""
    description: str = ""


def require_platform_admin(actor: Actor) -> User:
    """The acting user, if they hold the platform admin role."""
    if actor.user is None or not actor.user.has_role(Role.ADMIN):
        raise NotAllowed(_l("Only platform administrators may do this."))
    return actor.user


def provincial_alliance() -> Alliance | None:
    """The one provincial alliance, if it has been created."""
    query = select(Alliance).where(Alliance.kind == AllianceKind.PROVINCIAL).order_by(Alliance.id)
    return db.session.scalars(query.limit(1)).first()


def _checked_fields(fields: AllianceFields) -> AllianceFields:
    name, city = fields.name.strip(), fields.city.strip()
    industry, description = fields.industry.strip(), fields.description.strip()
    if not name or len(name) > NAME_MAX:
        raise DomainError(_l("Give a name of at most 80 characters."), "name")
    if len(description) > DESCRIPTION_MAX:
        raise DomainError(_l("The description is too long."), "description")
    kind = AllianceKind(fields.kind)
    if kind is AllianceKind.CITY and not 0 < len(city) <= CITY_MAX:
        raise DomainError(_l("A city alliance needs its city."), "city")
    if kind is AllianceKind.INDUSTRY and not 0 < len(industry) <= INDUSTRY_MAX:
        raise DomainError(_l("An industry alliance needs its industry."), "industry")
    return AllianceFields(
        name,
        kind,
        fields.parent_id,
        city if kind is AllianceKind.CITY else "",
        industry if kind is AllianceKind.INDUSTRY else "",
        description,
    )


def create_alliance(actor: Actor, fields: AllianceFields) -> Alliance:
    """Create the provincial alliance, or a city or industry alliance under it."""
    require_platform_admin(actor)
    begin_writing()
    fields = _checked_fields(fields)
    top = provincial_alliance()
    if fields.kind is AllianceKind.PROVINCIAL:
        if top is not None:
            raise DomainError(_l("There is already a provincial alliance."), "kind")
        parent_id = None
    else:
        if top is None:
            raise DomainError(_l("Create the provincial alliance first."), "kind")
        parent_id = top.id
    taken = select(Alliance.id).where(func.lower(Alliance.name) == fields.name.lower())
    if db.session.scalar(taken) is not None:
        raise DomainError(_l("An alliance with this name already exists."), "name")
    alliance = Alliance(
        name=fields.name,
        kind=fields.kind,
        parent_id=parent_id,
        city=fields.city,
        industry=fields.industry,
        description=fields.description,
    )
    db.session.add(alliance)
    db.session.flush()
    after = {"name": alliance.name, "kind": str(alliance.kind), "parent_id": parent_id}
    record(actor, "alliance.create", alliance, None, after)
    return alliance


def user_by_phone(phone: str, field: str = "phone") -> User:
    """The active user with this phone number; DomainError naming the field otherwise."""
    phone = (phone or "").strip()
    user = db.session.scalar(select(User).where(User.phone == phone)) if phone else None
    if user is None or not user.is_active:
        raise DomainError(_l("No active user has this phone number."), field)
    return user


def appoint_alliance_admin(actor: Actor, alliance_id: int, phone: str) -> AllianceAdmin:
    """Make the user with this phone number an administrator of the alliance."""
    require_platform_admin(actor)
    begin_writing()
    alliance = get_alliance(alliance_id)
    user = user_by_phone(phone)
    if db.session.get(AllianceAdmin, (alliance.id, user.id)) is not None:
        raise DomainError(_l("This user already administers the alliance."), "phone")
    admin = AllianceAdmin(alliance_id=alliance.id, user_id=user.id, appointed_by_id=actor.user.id)
    db.session.add(admin)
    db.session.flush()
    record(actor, "alliance.admin_appoint", alliance, None, {"user_id": user.id})
    return admin


def remove_alliance_admin(actor: Actor, alliance_id: int, user_id: int) -> None:
    """Take a user off the alliance's administrators."""
    require_platform_admin(actor)
    begin_writing()
    alliance = get_alliance(alliance_id)
    admin = db.session.get(AllianceAdmin, (alliance.id, user_id))
    if admin is None:
        raise DomainError(_l("This user does not administer the alliance."))
    db.session.delete(admin)
    db.session.flush()
    record(actor, "alliance.admin_remove", alliance, {"user_id": user_id}, None)


def alliance_admins(alliance_id: int) -> list[User]:
    """The alliance's administrators, by name."""
    query = (
        select(User)
        .join(AllianceAdmin, AllianceAdmin.user_id == User.id)
        .where(AllianceAdmin.alliance_id == alliance_id)
        .order_by(User.real_name, User.id)
    )
    return list(db.session.scalars(query))


def alliance_tree() -> list[tuple[Alliance, list[Alliance]]]:
    """Each top-level alliance with the alliances under it (cities first, then industries)."""
    rows = list(db.session.scalars(select(Alliance).order_by(Alliance.id)))
    order = {AllianceKind.CITY: 0, AllianceKind.INDUSTRY: 1, AllianceKind.PROVINCIAL: 2}
    children: dict[int, list[Alliance]] = {}
    for alliance in rows:
        if alliance.parent_id is not None:
            children.setdefault(alliance.parent_id, []).append(alliance)
    tops = [alliance for alliance in rows if alliance.parent_id is None]
    return [
        (top, sorted(children.get(top.id, []), key=lambda a: (order[a.kind], a.id))) for top in tops
    ]
