"""Readable names of audited actions; each domain adds its own."""

from flask_babel import lazy_gettext as _l

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


def label_actions(labels: dict) -> None:
    """Add a domain's action names (called when its services are imported)."""
    ACTION_LABELS.update(labels)


def action_label(action: str) -> str:
    """The readable name of an action, or the action code itself when it has none."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action
