"""Readable names of audited actions, the objects they act on and the fields they record;
each domain adds its own."""

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from guild.accounts.roles import ROLE_LABELS
from guild.i18n import translate

ACTION_LABELS = {
    "role.grant": _l("Role granted"),
    "role.revoke": _l("Role revoked"),
    "user.deactivate": _l("Account deactivated"),
    "user.reactivate": _l("Account reactivated"),
    "user.create_admin": _l("Administrator created"),
    "enterprise.create": _l("Enterprise created"),
    "trade.create": _l("Trade created"),
    "trade.update": _l("Trade edited"),
    "trades.import": _l("Trades imported"),
}

# Keyed by what audit rows store as their object type: a model's class name, or the name
# a service records for an action on many rows at once ("trades").
OBJECT_LABELS = {
    "User": lazy_pgettext("audited object", "Account"),
    "Enterprise": lazy_pgettext("audited object", "Enterprise"),
    "Trade": lazy_pgettext("audited object", "Trade"),
    "trades": lazy_pgettext("audited object", "Trade catalogue"),
}


# Keyed by the names services give the values they record before and after an action.
# Field names several domains record are named here; each domain adds its own. The
# context keeps them apart from form labels ("Title" here is not a worker's honour).
FIELD_LABELS = {
    "name": lazy_pgettext("audited field", "Name"),
    "city": lazy_pgettext("audited field", "City"),
    "credit_code": lazy_pgettext("audited field", "Unified social credit code"),
    "role": lazy_pgettext("audited field", "Role"),
    "roles": lazy_pgettext("audited field", "Roles"),
    "is_active": lazy_pgettext("audited field", "Active"),
    "code": lazy_pgettext("audited field", "Code"),
    "levels": lazy_pgettext("audited field", "Skill levels"),
    "created": lazy_pgettext("audited field", "Created"),
    "updated": lazy_pgettext("audited field", "Updated"),
    "unchanged": lazy_pgettext("audited field", "Unchanged"),
    "skipped": lazy_pgettext("audited field", "Skipped"),
    "user_id": lazy_pgettext("audited field", "Account ID"),
    "enterprise_id": lazy_pgettext("audited field", "Enterprise ID"),
    "trade_id": lazy_pgettext("audited field", "Trade ID"),
    "trade_ids": lazy_pgettext("audited field", "Trades"),
    "trade": lazy_pgettext("audited field", "Trade"),
    "title": lazy_pgettext("audited field", "Title"),
    "description": lazy_pgettext("audited field", "Description"),
    "note": lazy_pgettext("audited field", "Note"),
    "status": lazy_pgettext("audited field", "Status"),
    "state": lazy_pgettext("audited field", "Status"),
    "kind": lazy_pgettext("audited field", "Kind"),
    "level": lazy_pgettext("audited field", "Level"),
    "reason": lazy_pgettext("audited field", "Reason"),
    "number": lazy_pgettext("audited field", "Number"),
    "filename": lazy_pgettext("audited field", "File name"),
    "size": lazy_pgettext("audited field", "Size"),
    "sha256": lazy_pgettext("audited field", "SHA-256"),
    "version": lazy_pgettext("audited field", "Version"),
    "text": lazy_pgettext("audited field", "Text"),
    "comments": lazy_pgettext("audited field", "Comments"),
}


# Keyed by (object type, field): the names of the codes such a field records (a state, a
# role), each domain's own labels as its pages show them. Plain labels are marked
# messages (guild.i18n.mark), the rest lazy strings.
VALUE_LABELS: dict[tuple[str, str], Mapping] = {
    ("User", "role"): ROLE_LABELS,
    ("User", "roles"): ROLE_LABELS,
}


def label_actions(labels: dict) -> None:
    """Add a domain's action names (called when its services are imported)."""
    ACTION_LABELS.update(labels)


def label_objects(labels: dict) -> None:
    """Add the names of a domain's audited object types (called with its action names)."""
    OBJECT_LABELS.update(labels)


def label_fields(labels: dict) -> None:
    """Add the names of the fields a domain records in audit rows."""
    FIELD_LABELS.update(labels)


def label_values(object_type: str, labels: dict[str, Mapping]) -> None:
    """Add the names of the codes an object type's fields record, by field."""
    VALUE_LABELS.update({(object_type, field): names for field, names in labels.items()})


def action_label(action: str) -> str:
    """The readable name of an action, or the action code itself when it has none."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def object_label(object_type: str) -> str:
    """The readable name of an audited object type, or the type itself when it has none."""
    label = OBJECT_LABELS.get(object_type)
    return str(label) if label is not None else object_type


def field_label(field: str) -> str:
    """The readable name of a recorded field, or the field's own name when it has none."""
    label = FIELD_LABELS.get(field)
    return str(label) if label is not None else field


def value_label(object_type: str, field: str, value: object) -> str | None:
    """The readable name of a code a field of an object type records, None when it has none."""
    label = VALUE_LABELS.get((object_type, field), {}).get(value)
    if label is None:
        return None
    return translate(label) if isinstance(label, str) else str(label)
