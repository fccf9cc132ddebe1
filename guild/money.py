"""Amounts of money: entered in yuan, stored in integer fen, shown in yuan."""

import unicodedata
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l

from guild.errors import DomainError

CENT = Decimal("0.01")


def yuan_to_fen(value: str | None, field: str, most_yuan: int) -> int:
    """An amount in yuan ("1,234.5", "¥1234", full-width digits) as fen; blank is 0.

    Refused, naming the field: not a number, negative, above `most_yuan`, or finer than fen.
    """
    text = unicodedata.normalize("NFKC", value or "").strip()[:40]
    text = text.replace(",", "").replace(" ", "").lstrip("¥")
    if not text:
        return 0
    try:
        amount = Decimal(text)
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        raise DomainError(_l("Write the amount in yuan, like 12500.50."), field)
    if amount < 0:
        raise DomainError(_l("The amount cannot be negative."), field)
    if amount > most_yuan:
        raise DomainError(_l("The amount is too large to be real."), field)
    if amount != amount.quantize(CENT):
        raise DomainError(_l("Write the amount with at most two decimals."), field)
    return int(amount * 100)


def fen_to_yuan(fen: int | None) -> str:
    """Integer fen as a yuan amount with two decimals and thousands separators (None: 0)."""
    return f"{Decimal(fen or 0) / 100:,.2f}"
