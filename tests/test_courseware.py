"""Courseware services: the kind told by content, refusals that store nothing, versions,
download counts, trade tags and the storage's streaming save."""

import hashlib
import io
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from guild.accounts.models import User
from guild.audit.models import AuditEntry
from guild.audit.services import Actor
from guild.errors import DomainError
from guild.extensions import db
from guild.storage import LocalStorage, TooLarge
from guild.trades.levels import SkillLevel
from guild.trades.services.catalogue import TradeFields, save_trade
from studios.publication_models import Courseware, CoursewareKind, CoursewareVersion
from studios.services import courseware
from studios.services.access import NotAllowed
from studios.services.uploads import ZipLimits, safe_filename, sniff_kind
from tests.courseware_files import GOOD_FILES, exe, package, zip_bomb, zip_with_entries
from tests.studio_scene import build_studios
from tests.test_training_concurrency import run_together


@pytest.fixture
def app(make_app):
    return make_app(BABEL_DEFAULT_LOCALE="en")


@pytest.fixture
def scene(app, people):
    return build_studios(app, people)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


def actor(person) -> Actor:
    return Actor(db.session.get(User, person.id), "127.0.0.1")


def stored_files(app) -> list[Path]:
    folder = Path(app.config["UPLOAD_FOLDER"]) / courseware.AREA
    return sorted(folder.iterdir()) if folder.exists() else []


def upload(person, studio_id, content: bytes, name: str = "file.bin", title="讲义", trades=()):
    fields = courseware.CoursewareFields(title, "说明", list(trades))
    return courseware.upload_courseware(
        actor(person), studio_id, fields, courseware.Upload(io.BytesIO(content), name)
    )


def row_count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("kind", sorted(GOOD_FILES))
def test_each_kind_is_told_by_its_content_not_its_name(ctx, scene, kind):
    """Every accepted kind, uploaded under a misleading name: kind, bytes and hash kept."""
    _name, content = GOOD_FILES[kind]
    item = upload(scene.leaders[0], scene.studio_ids[0], content, "misleading.exe")
    db.session.commit()
    version = courseware.versions_of(item.id)[0]
    assert item.kind == CoursewareKind(kind) == version.kind
    assert (version.number, item.version_count, version.size) == (1, 1, len(content))
    assert version.sha256 == hashlib.sha256(content).hexdigest()
    assert version.filename.endswith("." + ("wps" if kind == "wps" else kind))
    files = stored_files(ctx)
    assert [f.read_bytes() for f in files] == [content]
    assert files[0].name == version.storage_key and "misleading" not in files[0].name
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "courseware.upload"))
    assert audit.object_id == str(item.id) and audit.after["kind"] == kind


BAD_FILES = {
    "exe renamed pdf": ("setup.pdf", exe(), "Programs cannot"),
    "text named docx": ("notes.docx", "就是一段文字".encode(), "not a PDF"),
    "zip of nothing we take": ("a.docx", package({"readme.txt": b"hi"}), "not a PDF"),
    "broken zip": ("a.pptx", b"PK\x03\x04" + b"\x00" * 100, "damaged"),
    "100,000 entries": (
        "big.pptx",
        zip_with_entries(100_000, ("[Content_Types].xml",)),
        "too many",
    ),
    "zip bomb": ("bomb.docx", zip_bomb(20), "far more than its size"),
    "empty file": ("empty.pdf", b"", "empty"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_files_are_refused_and_nothing_is_stored(ctx, scene, case):
    name, content, message = BAD_FILES[case]
    with pytest.raises(DomainError) as refused:
        upload(scene.leaders[0], scene.studio_ids[0], content, name)
    db.session.rollback()
    assert message in str(refused.value) and refused.value.field == "file"
    assert stored_files(ctx) == []
    assert row_count(Courseware) == 0 and row_count(CoursewareVersion) == 0


def test_a_zip_with_100000_entries_is_refused_before_it_is_read(ctx):
    content = zip_with_entries(100_000, ("[Content_Types].xml",))
    started = time.perf_counter()
    with pytest.raises(DomainError, match="too many"):
        sniff_kind(io.BytesIO(content))
    assert time.perf_counter() - started < 0.05  # the end record only, no directory parse


def test_declared_uncompressed_size_and_entry_count_limits(ctx):
    stored = package({"[Content_Types].xml": b"x", "word/d.xml": b"a" * 300_000}, method=0)
    assert sniff_kind(io.BytesIO(stored)) == CoursewareKind.DOCX
    with pytest.raises(DomainError, match="far more"):
        sniff_kind(io.BytesIO(stored), ZipLimits(max_uncompressed=100_000))
    with pytest.raises(DomainError, match="too many"):
        sniff_kind(io.BytesIO(stored), ZipLimits(max_entries=1))


def test_a_file_above_the_configured_limit_is_refused(make_app, people):
    app = make_app(COURSEWARE_MAX_BYTES=1024 * 1024, BABEL_DEFAULT_LOCALE="en")
    scene = build_studios(app, people)
    with app.app_context():
        content = GOOD_FILES["pdf"][1] + b"\n" * (1024 * 1024)
        with pytest.raises(DomainError, match="larger than 1 MB"):
            upload(scene.leaders[0], scene.studio_ids[0], content, "big.pdf")
        db.session.rollback()
        assert stored_files(app) == [] and row_count(Courseware) == 0


def test_non_members_may_not_upload_and_nothing_is_stored(ctx, scene):
    for person in (scene.outsider, scene.city_admin, scene.leaders[1]):
        with pytest.raises(NotAllowed):
            upload(person, scene.studio_ids[0], GOOD_FILES["pdf"][1], "a.pdf")
        db.session.rollback()
    with pytest.raises(NotAllowed):  # a studio not (yet) approved
        upload(scene.applicant, scene.pending_id, GOOD_FILES["pdf"][1], "a.pdf")
    db.session.rollback()
    assert stored_files(ctx) == [] and row_count(Courseware) == 0


def test_a_new_upload_is_the_next_version_and_old_versions_stay(ctx, scene):
    item = upload(scene.members[0], scene.studio_ids[0], GOOD_FILES["pdf"][1], "v1.pdf")
    version = courseware.add_version(
        actor(scene.leaders[0]), item.id, courseware.Upload(io.BytesIO(GOOD_FILES["docx"][1]), "v2")
    )
    db.session.commit()
    assert version.number == 2 and item.version_count == 2 and item.kind == CoursewareKind.DOCX
    old = courseware.get_version(item.id, 1)
    assert old.kind == CoursewareKind.PDF
    assert b"".join(courseware.storage(courseware.AREA).stream(old.storage_key)).startswith(b"%PDF")
    assert len(stored_files(ctx)) == 2
    with pytest.raises(NotAllowed):
        courseware.add_version(
            actor(scene.leaders[1]), item.id, courseware.Upload(io.BytesIO(b"%PDF-1.4"), "x.pdf")
        )


def test_script_in_text_fields_is_stored_as_text_and_bad_fields_are_refused(ctx, scene):
    script = "<script>alert('x')</script>"
    item = upload(scene.leaders[0], scene.studio_ids[0], GOOD_FILES["pdf"][1], title=script)
    assert item.title == script
    for title, field in (("", "title"), ("x" * 201, "title"), ("a\x07b", "title")):
        with pytest.raises(DomainError) as refused:
            upload(scene.leaders[0], scene.studio_ids[0], GOOD_FILES["pdf"][1], title=title)
        assert refused.value.field == field
    with pytest.raises(DomainError) as refused:
        upload(scene.leaders[0], scene.studio_ids[0], GOOD_FILES["pdf"][1], trades=[999_999])
    assert refused.value.field == "trade_ids"


@pytest.mark.parametrize(
    ("original", "kind", "expected"),
    [
        ("../../etc/passwd.pdf", CoursewareKind.PDF, "passwd.pdf"),
        ("C:\\Windows\\evil.exe", CoursewareKind.PDF, "evil.pdf"),
        ('say "hi"; rm -rf *.docx', CoursewareKind.DOCX, "say hi rm -rf.docx"),
        ("a\x00b\x1b[31mc\r\n.pdf", CoursewareKind.PDF, "ab[31mc.pdf"),
        ("invoice\u202egpj.exe", CoursewareKind.PDF, "invoicegpj.pdf"),
        ("....", CoursewareKind.MP4, "courseware.mp4"),
        ("培训 讲义.et", CoursewareKind.WPS, "培训 讲义.et"),
        ("x" * 300 + ".pdf", CoursewareKind.PDF, "x" * 100 + ".pdf"),
    ],
)
def test_safe_filenames(original, kind, expected):
    assert safe_filename(original, kind) == expected


def test_downloads_are_counted_atomically(ctx, scene):
    item = upload(scene.leaders[0], scene.studio_ids[0], GOOD_FILES["pdf"][1])
    item_id = item.id

    def download(_index):
        from guild.transactions import begin_writing

        begin_writing()
        courseware.record_download(item_id)
        db.session.commit()

    run_together(ctx, download, 10)
    assert db.session.get(Courseware, item_id).download_count == 10


def test_workers_see_courseware_of_their_trade_only(ctx, scene):
    welding = save_trade(Actor(None), None, TradeFields("焊工", "机械制造", (SkillLevel.L5,)))
    electric = save_trade(Actor(None), None, TradeFields("电工", "电力能源", (SkillLevel.L5,)))
    item = upload(scene.leaders[0], scene.studio_ids[0], GOOD_FILES["pdf"][1], trades=[welding.id])
    assert [(i.id, name) for i, name in courseware.courseware_for_trade(welding.id)] == [
        (item.id, "王强电力创新工作室")
    ]
    assert courseware.courseware_for_trade(electric.id) == []
    assert [t.name for t in courseware.trades_of(item.id)] == ["焊工"]


def test_storage_save_file_stops_at_the_limit_and_leaves_nothing(tmp_path):
    store = LocalStorage(tmp_path)
    with pytest.raises(TooLarge):
        store.save_file(io.BytesIO(b"x" * 3_000_000), "pdf", max_bytes=1_000_000)
    assert list(tmp_path.iterdir()) == []
    saved = store.save_file(io.BytesIO(b"y" * 3_000_000), "pdf", max_bytes=3_000_000)
    assert saved.size == 3_000_000 and saved.sha256 == hashlib.sha256(b"y" * 3_000_000).hexdigest()
    assert b"".join(store.stream(saved.key)) == b"y" * 3_000_000
