"""A studio's achievements (创新成果): adding, editing, deleting, all audited and indexed.

Rights are those of patents: any active member adds and edits; the leader or the member who
added one deletes it. The summary is Markdown rendered to HTML (raw HTML and images are not
rendered at all) and then cleaned by nh3 to a small safe set: paragraphs, line breaks, lists,
emphasis, quotes, code and links (http, https, mailto only; rel="noopener nofollow").
The economic benefit is entered in yuan with at most two decimals and stored in fen.
"""

from dataclasses import dataclass
from datetime import date
from html import unescape

import nh3
from flask_babel import lazy_gettext as _l
from markdown_it import MarkdownIt
from sqlalchemy import select

from guild import money
from guild.audit.labels import label_actions, label_values
from guild.audit.services import Actor, record
from guild.errors import DomainError
from guild.extensions import MAX_ID, db
from studios.models import MemberRole
from studios.publication_models import Achievement, AchievementPhoto
from studios.search_models import SearchKind
from studios.services.access import NotAllowed, NotFound, require_studio_member, studio_role
from studios.services.patents import check_challenge, today
from studios.services.search import index_item, unindex_item

MAX_YUAN = 10**12
MAX_SUMMARY = 20_000
MAX_AWARDS = 2000
NO_ACHIEVEMENT = _l("There is no such achievement.")
CATEGORIES = {
    "technical_innovation": _l("Technical innovation"),
    "process_improvement": _l("Process improvement"),
    "invention": _l("Invention"),
    "rationalisation": _l("Rationalisation proposal"),
    "management": _l("Management innovation"),
    "other": _l("Other"),
}
label_values("Achievement", {"category": CATEGORIES})
ALLOWED_TAGS = {"p", "br", "ul", "ol", "li", "em", "strong", "a", "code", "pre", "blockquote"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}
MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False}).disable(
    ["image", "html_block", "html_inline"]
)

label_actions(
    {
        "achievement.create": _l("Achievement added"),
        "achievement.update": _l("Achievement edited"),
        "achievement.delete": _l("Achievement deleted"),
        "achievement.photo_add": _l("Achievement photo added"),
        "achievement.photo_delete": _l("Achievement photo deleted"),
    }
)


@dataclass
class AchievementFields:
    """What a member enters about an achievement."""

    title: str
    achieved_on: date
    summary_markdown: str = ""
    category: str = "other"
    benefit_yuan: str = ""
    awards: str = ""
    challenge_id: int | None = None


def render_summary(markdown: str) -> str:
    """The summary as safe HTML: rendered from Markdown, then cleaned by nh3."""
    html = MARKDOWN.render(markdown or "")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener nofollow",
    ).strip()


def plain_text(html: str) -> str:
    """The text of cleaned HTML, for the search index."""
    return unescape(nh3.clean(html, tags=set()))


def yuan_to_fen(value: str) -> int:
    """The benefit in yuan (up to two decimals, "1,234.5" or "¥1234") as integer fen."""
    return money.yuan_to_fen(value, "benefit_yuan", MAX_YUAN)


def get_achievement(achievement_id: int, studio_id: int | None = None) -> Achievement:
    """The achievement (of the studio, when given); DomainError NO_ACHIEVEMENT otherwise."""
    found = db.session.get(Achievement, achievement_id) if 0 < achievement_id <= MAX_ID else None
    if found is None or (studio_id is not None and found.studio_id != studio_id):
        raise NotFound(NO_ACHIEVEMENT, "achievement_id")
    return found


def _check(fields: AchievementFields) -> int:
    """The benefit in fen, after every field is checked (DomainError naming the field)."""
    title = " ".join((fields.title or "").split())
    if not title or len(title) > 200:
        raise DomainError(_l("Give a title of at most 200 characters."), "title")
    if fields.category not in CATEGORIES:
        raise DomainError(_l("Choose a category."), "category")
    if fields.achieved_on > today() or fields.achieved_on.year < 1950:
        raise DomainError(_l("The date cannot be in the future."), "achieved_on")
    if len(fields.summary_markdown or "") > MAX_SUMMARY:
        raise DomainError(_l("The summary is too long."), "summary_markdown")
    if len(fields.awards or "") > MAX_AWARDS:
        raise DomainError(_l("The awards are too long."), "awards")
    check_challenge(fields.challenge_id)
    return yuan_to_fen(fields.benefit_yuan)


def snapshot(item: Achievement) -> dict:
    """What the audit log keeps of an achievement."""
    return {
        "studio_id": item.studio_id,
        "title": item.title,
        "category": item.category,
        "benefit_fen": item.benefit_fen,
        "achieved_on": item.achieved_on.isoformat(),
        "challenge_id": item.challenge_id,
    }


def _apply(item: Achievement, fields: AchievementFields, fen: int) -> None:
    item.title = " ".join(fields.title.split())
    item.summary_markdown = (fields.summary_markdown or "").strip()
    item.summary_html = render_summary(item.summary_markdown)
    item.category = fields.category
    item.benefit_fen = fen
    item.awards = (fields.awards or "").strip()
    item.achieved_on = fields.achieved_on
    item.challenge_id = fields.challenge_id


def reindex(item: Achievement) -> None:
    """Put the achievement's title, summary and awards in the search index."""
    body = f"{plain_text(item.summary_html)}\n{item.awards}"
    index_item(SearchKind.ACHIEVEMENT, item.id, item.studio_id, item.title, body, item.achieved_on)


def add_achievement(actor: Actor, studio_id: int, fields: AchievementFields) -> Achievement:
    """A member adds an achievement to their studio."""
    studio = require_studio_member(actor, studio_id)
    fen = _check(fields)
    item = Achievement(studio_id=studio.id, created_by_id=actor.user.id)
    _apply(item, fields, fen)
    db.session.add(item)
    db.session.flush()
    reindex(item)
    record(actor, "achievement.create", item, None, snapshot(item))
    return item


def update_achievement(
    actor: Actor, studio_id: int, achievement_id: int, fields: AchievementFields
) -> Achievement:
    """A member edits an achievement of their studio."""
    studio = require_studio_member(actor, studio_id)
    item = get_achievement(achievement_id, studio.id)
    fen = _check(fields)
    before = snapshot(item)
    _apply(item, fields, fen)
    db.session.flush()
    reindex(item)
    record(actor, "achievement.update", item, before, snapshot(item))
    return item


def may_delete(user_id: int | None, item: Achievement) -> bool:
    """The studio's leader or the member who added it may delete an achievement."""
    role = studio_role(user_id, item.studio_id)
    return role == MemberRole.LEADER or (role is not None and item.created_by_id == user_id)


def delete_achievement(actor: Actor, studio_id: int, achievement_id: int) -> list[str]:
    """Delete an achievement; returns its photos' storage keys, to remove after commit."""
    studio = require_studio_member(actor, studio_id)
    item = get_achievement(achievement_id, studio.id)
    if not may_delete(actor.user.id, item):
        raise NotAllowed(_l("Only the studio's leader or the member who added it may delete it."))
    photos = list(
        db.session.scalars(
            select(AchievementPhoto).where(AchievementPhoto.achievement_id == item.id)
        )
    )
    keys = [photo.storage_key for photo in photos]
    for photo in photos:
        db.session.delete(photo)
    unindex_item(SearchKind.ACHIEVEMENT, item.id)
    record(actor, "achievement.delete", item, snapshot(item), None)
    db.session.delete(item)
    db.session.flush()
    return keys


def studio_achievements(studio_id: int, limit: int | None = None) -> list[Achievement]:
    """A studio's achievements, latest first."""
    query = (
        select(Achievement)
        .where(Achievement.studio_id == studio_id)
        .order_by(Achievement.achieved_on.desc(), Achievement.id.desc())
    )
    if limit:
        query = query.limit(limit)
    return list(db.session.scalars(query))
