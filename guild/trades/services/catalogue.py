"""Browsing and editing the trades catalogue."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import or_
from sqlalchemy.exc import IntegrityError

from guild.audit.services import Actor, record
from guild.errors import DomainError
from guild.extensions import db
from guild.text import like_pattern
from guild.trades.levels import SkillLevel, sort_levels
from guild.trades.models import Trade
from guild.trades.rules import category_problem, code_problem, name_problem


@dataclass(frozen=True)
class TradeFields:
    """The editable fields of a trade."""

    name: str
    category: str
    levels: tuple[SkillLevel, ...]
    code: str | None = None


def search_trades(text: str, category: str | None, page: int, per_page: int) -> Pagination:
    """One page of trades whose name, code or category contains the text."""
    query = db.select(Trade).order_by(Trade.category, Trade.code, Trade.name)
    if text:
        pattern = like_pattern(text)
        query = query.where(
            or_(
                Trade.name.ilike(pattern, escape="\\"),
                Trade.code.ilike(pattern, escape="\\"),
                Trade.category.ilike(pattern, escape="\\"),
            )
        )
    if category:
        query = query.where(Trade.category == category)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def categories() -> list[str]:
    """The distinct trade categories, for filters."""
    return list(db.session.scalars(db.select(Trade.category).distinct().order_by(Trade.category)))


def trade_snapshot(trade: Trade) -> dict:
    """The audited fields of a trade."""
    return {
        "code": trade.code,
        "name": trade.name,
        "category": trade.category,
        "levels": list(trade.level_codes),
    }


def apply_fields(trade: Trade, fields: TradeFields, keep_code: bool = False) -> None:
    """Copy the fields onto the trade, normalising code and levels.

    With keep_code, an empty code leaves the trade's code as it is (imports whose sheet has
    no code for a trade must not erase it); otherwise it clears the code.
    """
    code = (fields.code or "").strip() or None
    if code is not None or not keep_code:
        trade.code = code
    trade.name = fields.name.strip()
    trade.category = fields.category.strip()
    trade.level_codes = [level.value for level in sort_levels(fields.levels)]


def save_trade(actor: Actor, trade: Trade | None, fields: TradeFields) -> Trade:
    """Create a trade (trade None) or update one; code and name must stay unique."""
    if not fields.levels:
        raise DomainError(_l("Choose at least one skill level."), field="levels")
    for field, problem in (
        ("name", name_problem(fields.name)),
        ("code", code_problem(fields.code or "")),
        ("category", category_problem(fields.category)),
    ):
        if problem:
            raise DomainError(problem, field=field)
    before = trade_snapshot(trade) if trade else None
    target = trade or Trade()
    try:
        with db.session.begin_nested():
            apply_fields(target, fields)
            db.session.add(target)
    except IntegrityError as error:
        if trade is not None:
            db.session.refresh(trade)
        raise DomainError(
            _l("Another trade already has this code or name."), field="name"
        ) from error
    action = "trade.update" if trade else "trade.create"
    record(actor, action, target, before, trade_snapshot(target))
    return target
