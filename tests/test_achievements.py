"""Achievements: Markdown summaries cleaned by nh3, benefits in fen, photos checked by their
bytes, rights, audit and the search index."""

import io
import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from guild.accounts.models import User
from guild.audit.models import AuditEntry
from guild.audit.services import Actor
from guild.errors import DomainError
from guild.extensions import db
from guild.money import fen_to_yuan
from studios.publication_models import Achievement, AchievementPhoto
from studios.search_models import SearchKind
from studios.services.access import NotAllowed
from studios.services.achievement_photos import AREA, add_photo, image_type
from studios.services.achievements import (
    ALLOWED_TAGS,
    AchievementFields,
    add_achievement,
    delete_achievement,
    render_summary,
    update_achievement,
    yuan_to_fen,
)
from studios.services.search import search
from tests.studio_scene import build_studios


@pytest.fixture
def app(make_app):
    """The app speaking English, so refusals are matched as the code words them."""
    return make_app(BABEL_DEFAULT_LOCALE="en")


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
WEBP = b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 200


@pytest.mark.parametrize(
    ("markdown", "absent", "present"),
    [
        ("<script>alert(1)</script>hi", ["<script"], ["&lt;script&gt;", "hi"]),
        ("<style>body{display:none}</style>", ["<style"], []),
        ("<img src=x onerror=alert(1)>", ["<img"], ["&lt;img"]),
        ('<a href="https://x.cn" onclick="steal()">q</a>', ["<a "], ["&lt;a"]),
        ("[click](javascript:alert(1))", ['href="javascript', "<a "], ["click"]),
        ("[click](JAVASCRIPT:alert(1))", ["href="], []),
        ("[x](data:text/html;base64,PHNjcmlwdD4=)", ["href="], []),
        ("![cat](https://evil.example/cat.png)", ["<img"], []),
        ("<iframe src=https://x></iframe>", ["<iframe"], []),
        (
            "**节能** *改进*\n\n- 一\n- 二\n\n[官网](https://example.cn)",
            [],
            [
                "<strong>节能</strong>",
                "<em>改进</em>",
                "<li>一</li>",
                '<a href="https://example.cn" rel="noopener nofollow">官网</a>',
            ],
        ),
    ],
)
def test_summaries_keep_a_safe_subset_only(markdown, absent, present):
    html = render_summary(markdown)
    for tag in re.findall(r"<[^>]*>", html):
        name = re.match(r"</?([a-z0-9]+)", tag).group(1)
        assert name in ALLOWED_TAGS, tag
        attributes = re.findall(r'\s([a-z-]+)="([^"]*)"', tag)
        assert {key for key, _ in attributes} <= {"href", "title", "rel"}, tag
        for key, value in attributes:
            assert key != "href" or value.startswith(("https://", "http://", "mailto:")), tag
    for text in absent:
        assert text.lower() not in html.lower(), html
    for text in present:
        assert text in html, html


@pytest.mark.parametrize(
    ("typed", "fen"),
    [
        ("", 0),
        ("0", 0),
        ("12", 1200),
        ("12.5", 1250),
        ("12.50", 1250),
        ("0.01", 1),
        ("1,234,567.89", 123456789),
        ("¥100", 10000),
        ("１２３．４５", 12345),  # full-width
        ("1000000000000", 100000000000000),  # 10^12 yuan: the largest accepted
    ],
)
def test_yuan_become_integer_fen(typed, fen):
    assert yuan_to_fen(typed) == fen


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-1", "negative"),
        ("-0.01", "negative"),
        ("1000000000000.01", "too large"),
        ("1e20", "too large"),
        ("1.001", "two decimals"),
        ("abc", "in yuan"),
        ("NaN", "in yuan"),
        ("Infinity", "in yuan"),
        ("12元", "in yuan"),
    ],
)
def test_bad_amounts_are_refused(app, typed, message):
    with app.test_request_context(), pytest.raises(DomainError) as refused:
        yuan_to_fen(typed)
    assert message in str(refused.value) and refused.value.field == "benefit_yuan"


def test_fen_shown_as_yuan():
    assert fen_to_yuan(123456789) == "1,234,567.89" and fen_to_yuan(5) == "0.05"


def test_image_types_by_their_bytes():
    assert [image_type(data[:16]) for data in (JPEG, PNG, WEBP)] == [
        "image/jpeg",
        "image/png",
        "image/webp",
    ]
    for data in (b"<html><script>", b"MZ\x90\x00", b"GIF89a", b"RIFF\x00\x00\x00\x00WAVE", b""):
        assert image_type(data) is None


@pytest.fixture
def scene(app, people):
    made = build_studios(app, people)
    with app.app_context():
        yield made


def actor(person) -> Actor:
    return Actor(db.session.get(User, person.id), "127.0.0.1")


def fields(**changes) -> AchievementFields:
    values = {
        "title": "变电站巡检机器人",
        "achieved_on": date(2024, 3, 1),
        "summary_markdown": "**巡检效率**提升 3 倍<script>alert(1)</script>",
        "category": "technical_innovation",
        "benefit_yuan": "1,200,000.50",
        "awards": "省职工技术创新成果一等奖",
    }
    values.update(changes)
    return AchievementFields(**values)


def test_a_member_adds_an_achievement(scene):
    member, studio_id = scene.members[0], scene.studio_ids[0]
    item = add_achievement(actor(member), studio_id, fields())
    db.session.commit()
    assert item.benefit_fen == 120000050
    assert "<strong>巡检效率</strong>" in item.summary_html and "<script" not in item.summary_html
    audit = db.session.scalars(select(AuditEntry).filter_by(action="achievement.create")).one()
    assert audit.actor_id == member.id and audit.after["benefit_fen"] == 120000050
    for query in ("巡检机器人", "一等奖", "巡检效率"):
        assert [h.object_id for h in search(query, {SearchKind.ACHIEVEMENT}).items] == [item.id]
    (hit,) = search("script", {SearchKind.ACHIEVEMENT}).items  # text as typed, never markup
    assert "<script>alert(1)</script>" in hit.snippet and "&lt;" not in hit.snippet


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"category": "<b>"}, "category"),
        ({"benefit_yuan": "-5"}, "benefit_yuan"),
        ({"achieved_on": date(2999, 1, 1)}, "achieved_on"),
        ({"summary_markdown": "字" * 20001}, "summary_markdown"),
        ({"challenge_id": -1}, "challenge_id"),
    ],
)
def test_bad_fields_store_nothing(scene, changes, field):
    with pytest.raises(DomainError) as refused:
        add_achievement(actor(scene.leaders[0]), scene.studio_ids[0], fields(**changes))
    db.session.rollback()
    assert refused.value.field == field
    assert db.session.scalar(select(func.count()).select_from(Achievement)) == 0


def test_edit_reindexes_and_delete_removes_rows_and_photos(app, scene):
    leader, member, studio_id = scene.leaders[0], scene.members[0], scene.studio_ids[0]
    item = add_achievement(actor(member), studio_id, fields())
    db.session.commit()
    update_achievement(actor(leader), studio_id, item.id, fields(title="焊缝检测新工艺"))
    db.session.commit()
    assert search("巡检机器人", {SearchKind.ACHIEVEMENT}).items == []
    assert len(search("焊缝检测", {SearchKind.ACHIEVEMENT}).items) == 1
    photo = add_photo(actor(member), studio_id, item.id, io.BytesIO(PNG))
    db.session.commit()
    stored = Path(app.config["UPLOAD_FOLDER"]) / AREA / photo.storage_key
    assert stored.read_bytes() == PNG and photo.content_type == "image/png"
    with pytest.raises(NotAllowed):
        delete_achievement(actor(scene.outsider), studio_id, item.id)
    db.session.rollback()
    keys = delete_achievement(actor(leader), studio_id, item.id)
    db.session.commit()
    assert keys == [photo.storage_key]
    assert db.session.scalar(select(func.count()).select_from(AchievementPhoto)) == 0
    assert search("焊缝检测").items == []


def test_photos_refused_by_content_and_size(app, scene):
    app.config["ACHIEVEMENT_PHOTO_MAX_BYTES"] = 1000
    leader, studio_id = scene.leaders[0], scene.studio_ids[0]
    item = add_achievement(actor(leader), studio_id, fields())
    db.session.commit()
    for data, message in (
        (b"<svg onload=alert(1)>", "JPEG, PNG or WebP"),
        (b"MZ\x90\x00" + b"\x00" * 100, "JPEG, PNG or WebP"),
        (JPEG + b"\x00" * 1000, "too large"),
        (b"", "Choose a photo"),
    ):
        with pytest.raises(DomainError) as refused:
            add_photo(actor(leader), studio_id, item.id, io.BytesIO(data))
        assert message in str(refused.value)
        db.session.rollback()
    folder = Path(app.config["UPLOAD_FOLDER"]) / AREA
    assert not folder.exists() or list(folder.iterdir()) == []
    with pytest.raises(NotAllowed):
        add_photo(actor(scene.outsider), studio_id, item.id, io.BytesIO(JPEG))
    assert db.session.scalar(select(func.count()).select_from(AchievementPhoto)) == 0
