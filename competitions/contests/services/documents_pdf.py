"""Prize certificates (获奖证书) of a contest as PDF: one A4 landscape page per person.

The text is drawn in reportlab's built-in CID font STSong-Light (the reader supplies its
glyphs), so no font file ships with the app. Every entrant with a prize or the title gets a
page, each member of a team their own.
"""

import io
import re
from dataclasses import dataclass
from datetime import date

import pandas as pd
from flask_babel import lazy_gettext as _l
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from competitions.contests.models import Contest
from competitions.contests.services.documents import (
    NOT_REVEALED,
    entrant_labels,
    member_names,
    names_shown,
    prize_label,
)
from competitions.contests.services.results import entrant_result, standings
from guild.accounts.models import User
from guild.errors import DomainError
from guild.extensions import db
from guild.trades.models import Trade

FONT = "STSong-Light"
PDF_MIMETYPE = "application/pdf"
NO_AWARD = _l("You have no prize or title in this contest.")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
RED, INK = HexColor("#b3261e"), HexColor("#222222")


@dataclass(frozen=True)
class Certificate:
    """What a prize certificate says."""

    name: str
    enterprise: str
    contest: str
    trade: str
    group: str
    prize: str  # the prize's name, "" for none
    title: str  # the title's name, "" for none
    day: date


def _trade_name(contest: Contest) -> str:
    trade = db.session.get(Trade, contest.trade_id)
    return trade.name if trade else ""


def certificates(contest: Contest, day: date) -> list[Certificate]:
    """One certificate per member of each entry with a prize or title, by group and rank."""
    if not names_shown(contest):
        raise DomainError(NOT_REVEALED, "stage")
    table = standings(contest.id).table
    won = table[((table["prize"] > 0) | table["title"]).to_numpy()]
    members = member_names(contest.id, won.index)
    labels = entrant_labels(contest.id, won.index)
    groups = {group.id: group.name for group in contest.groups}
    trade = _trade_name(contest)
    made = []
    for entry_id, row in zip(won.index, won.to_dict("records"), strict=True):
        group = "" if pd.isna(row["group_id"]) else groups.get(int(row["group_id"]), "")
        prize, title = prize_label(int(row["prize"])), contest.title_name if row["title"] else ""
        enterprise = labels.get(entry_id, ("", ""))[1]
        made.extend(
            Certificate(name, enterprise, contest.name, trade, group, prize, title, day)
            for name in members.get(entry_id, [])
        )
    return made


def own_certificate(contest_id: int, user: User, day: date) -> Certificate:
    """The worker's own certificate once results are published, if they won a prize or title."""
    result = entrant_result(contest_id, user.id)
    if result.prize <= 0 and not result.title:
        raise DomainError(NO_AWARD, "user_id")
    contest = db.session.get(Contest, contest_id)
    groups = {group.id: group.name for group in contest.groups}
    enterprise = entrant_labels(contest_id, [result.entry_id]).get(result.entry_id, ("", ""))[1]
    return Certificate(
        user.real_name,
        enterprise,
        contest.name,
        _trade_name(contest),
        groups.get(result.group_id, ""),
        prize_label(result.prize),
        contest.title_name if result.title else "",
        day,
    )


def _clean(text: str) -> str:
    """Text without control characters, which a PDF string cannot show."""
    return CONTROL.sub("", str(text or ""))


def _fitted(canvas: Canvas, text: str, size: float, width: float, y: float) -> None:
    """Draw centred text, shrunk until it fits the width."""
    text = _clean(text)
    while size > 8 and pdfmetrics.stringWidth(text, FONT, size) > width:
        size -= 1
    canvas.setFont(FONT, size)
    canvas.drawCentredString(landscape(A4)[0] / 2, y, text)


def _page(canvas: Canvas, certificate: Certificate) -> None:
    """One certificate on the current page."""
    width, height = landscape(A4)
    canvas.setStrokeColor(RED)
    canvas.setLineWidth(4)
    canvas.rect(28, 28, width - 56, height - 56)
    canvas.setLineWidth(1)
    canvas.rect(38, 38, width - 76, height - 76)
    usable = width - 140
    canvas.setFillColor(RED)
    _fitted(canvas, str(_l("Certificate of Award")), 40, usable, height - 130)
    canvas.setFillColor(INK)
    _fitted(canvas, certificate.name, 32, usable, height - 210)
    _fitted(canvas, certificate.enterprise, 18, usable, height - 245)
    competed = _l("in %(contest)s, trade %(trade)s", contest=_clean(certificate.contest),
                  trade=_clean(certificate.trade))  # fmt: skip
    _fitted(canvas, str(competed), 18, usable, height - 295)
    if certificate.group:
        _fitted(
            canvas, str(_l("Group: %(group)s", group=certificate.group)), 16, usable, height - 325
        )
    awards = [text for text in (certificate.prize, certificate.title) if text]
    canvas.setFillColor(RED)
    _fitted(canvas, "  ·  ".join(awards), 30, usable, height - 385)
    canvas.setFillColor(INK)
    _fitted(canvas, certificate.day.isoformat(), 16, usable, 90)


def certificates_pdf(made: list[Certificate], title: str) -> bytes:
    """The certificates as one PDF, a page each."""
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=landscape(A4), pageCompression=1)
    canvas.setTitle(_clean(title))
    canvas.setAuthor("Guild")
    for certificate in made:
        _page(canvas, certificate)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def pdf_filename(contest: Contest, suffix: str = "") -> str:
    """A download name from the contest's name: letters, digits and CJK only."""
    name = re.sub(r"[^\w\-]+", "_", contest.name).strip("_")[:40] or f"contest-{contest.id}"
    return f"获奖证书-{name}-contest-{contest.id}{suffix}.pdf"
