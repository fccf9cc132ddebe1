"""Campaigns for organisers: create and edit them with their rules; find the one running."""

from dataclasses import dataclass, fields
from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import select

from competitions.campaigns.models import Campaign, CampaignTrade
from guild.audit.labels import label_actions, label_fields, label_objects
from guild.audit.services import Actor, record
from guild.errors import DomainError
from guild.extensions import db
from guild.timeutil import local_day, utcnow
from guild.trades.models import Trade

MAX_DAYS = 366
MAX_DAILY_COUNT = 100
MAX_POINTS = 10_000

label_actions({"campaign.create": _l("Campaign created"), "campaign.edit": _l("Campaign edited")})
label_objects(
    {
        "Campaign": lazy_pgettext("audited object", "Campaign"),
    }
)
label_fields(
    {
        "daily_count": lazy_pgettext("audited field", "Questions per day"),
        "daily_points_cap": lazy_pgettext("audited field", "Daily points cap"),
        "perfect_day_bonus": lazy_pgettext("audited field", "Bonus for a perfect day"),
        "points_per_correct": lazy_pgettext("audited field", "Points per correct answer"),
        "partial_credit": lazy_pgettext("audited field", "Partial credit"),
        "starts_on": lazy_pgettext("audited field", "Starts on"),
        "ends_on": lazy_pgettext("audited field", "Ends on"),
    }
)


@dataclass(frozen=True)
class CampaignFields:
    """What an organiser sets on a campaign."""

    name: str
    description: str
    starts_on: date
    ends_on: date
    trade_ids: tuple[int, ...]
    daily_count: int = 10
    points_per_correct: int = 10
    daily_points_cap: int = 100
    perfect_day_bonus: int = 20
    partial_credit: bool = False


def _check(values: CampaignFields) -> None:
    if not values.name.strip():
        raise DomainError(_l("Please give the campaign a name."), "name")
    if values.ends_on < values.starts_on:
        raise DomainError(_l("The campaign must end on or after its first day."), "ends_on")
    if (values.ends_on - values.starts_on).days >= MAX_DAYS:
        raise DomainError(_l("A campaign lasts at most a year."), "ends_on")
    if not 1 <= values.daily_count <= MAX_DAILY_COUNT:
        raise DomainError(_l("Daily questions must be between 1 and 100."), "daily_count")
    for name in ("points_per_correct", "daily_points_cap", "perfect_day_bonus"):
        if not 0 <= getattr(values, name) <= MAX_POINTS:
            raise DomainError(_l("Points must be between 0 and 10000."), name)
    if not values.trade_ids:
        raise DomainError(_l("Choose at least one trade."), "trade_ids")
    found = db.session.scalars(select(Trade.id).where(Trade.id.in_(values.trade_ids))).all()
    if len(set(found)) != len(set(values.trade_ids)):
        raise DomainError(_l("Choose trades from the list."), "trade_ids")


def _snapshot(campaign: Campaign) -> dict:
    values = {f.name: getattr(campaign, f.name, None) for f in fields(CampaignFields)}
    values["trade_ids"] = sorted(campaign.trade_ids)
    return {key: str(value) if isinstance(value, date) else value for key, value in values.items()}


POINTS_RULES = ("points_per_correct", "daily_points_cap", "perfect_day_bonus")


def _keep_points_rules(campaign: Campaign, values: CampaignFields) -> None:
    """Once a campaign has begun, its points rules stay: standings were earned under them.

    Changing them would leave the running standings on the old rules while `standings
    rebuild` replays every answer under the new ones.
    """
    today = local_day(utcnow(), current_app.config["BABEL_DEFAULT_TIMEZONE"])
    if campaign.starts_on > today:
        return
    for name in POINTS_RULES:
        if getattr(campaign, name) != getattr(values, name):
            raise DomainError(_l("Points rules cannot change once a campaign has begun."), name)


def save_campaign(actor: Actor, campaign: Campaign | None, values: CampaignFields) -> Campaign:
    """Create a campaign, or change one; trades already trained keep their standings."""
    _check(values)
    if campaign is not None:
        _keep_points_rules(campaign, values)
    before = _snapshot(campaign) if campaign else None
    if campaign is None:
        campaign = Campaign(created_by_id=actor.user.id if actor.user else None)
        db.session.add(campaign)
    for name in ("daily_count", "points_per_correct", "daily_points_cap", "perfect_day_bonus"):
        setattr(campaign, name, getattr(values, name))
    campaign.name = values.name.strip()
    campaign.description = values.description.strip()
    campaign.starts_on, campaign.ends_on = values.starts_on, values.ends_on
    campaign.partial_credit = values.partial_credit
    wanted = set(values.trade_ids)
    campaign.trades = [link for link in campaign.trades if link.trade_id in wanted] + [
        CampaignTrade(trade_id=trade_id) for trade_id in sorted(wanted - set(campaign.trade_ids))
    ]
    db.session.flush()
    action = "campaign.edit" if before else "campaign.create"
    record(actor, action, campaign, before, _snapshot(campaign))
    return campaign


def running_campaign(trade_id: int, day: date) -> Campaign | None:
    """The campaign training a trade on a day; the one ending first when several overlap."""
    query = (
        select(Campaign)
        .join(CampaignTrade, CampaignTrade.campaign_id == Campaign.id)
        .where(
            CampaignTrade.trade_id == trade_id,
            Campaign.starts_on <= day,
            Campaign.ends_on >= day,
        )
        .order_by(Campaign.ends_on, Campaign.id)
        .limit(1)
    )
    return db.session.scalar(query)


def list_campaigns(day: date) -> tuple[list[Campaign], list[Campaign], list[Campaign]]:
    """Campaigns running on a day, coming later, and past, newest first."""
    every = db.session.scalars(select(Campaign).order_by(Campaign.starts_on.desc())).all()
    running = [c for c in every if c.is_open_on(day)]
    coming = [c for c in every if c.starts_on > day]
    past = [c for c in every if c.ends_on < day]
    return running, coming, past
