"""Readable names of audited actions and of the objects they act on; each domain adds its own."""

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

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


def label_actions(labels: dict) -> None:
    """Add a domain's action names (called when its services are imported)."""
    ACTION_LABELS.update(labels)


def label_objects(labels: dict) -> None:
    """Add the names of a domain's audited object types (called with its action names)."""
    OBJECT_LABELS.update(labels)


def action_label(action: str) -> str:
    """The readable name of an action, or the action code itself when it has none."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def object_label(object_type: str) -> str:
    """The readable name of an audited object type, or the type itself when it has none."""
    label = OBJECT_LABELS.get(object_type)
    return str(label) if label is not None else object_type
