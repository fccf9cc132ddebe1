"""Courseware pages: uploading, refusals with a message and nothing stored, versions,
downloads (attachment, safe name, nosniff, streamed, counted), rights, the training page."""

import io
import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from guild.extensions import db
from guild.text import file_size
from studios.publication_models import Courseware, CoursewareVersion
from tests.conftest import login
from tests.courseware_files import GOOD_FILES, exe, zip_bomb, zip_with_entries
from tests.studio_scene import build_studios

MB = 1024 * 1024


@pytest.fixture
def app(make_app):
    return make_app(BABEL_DEFAULT_LOCALE="en")


@pytest.fixture
def scene(app, people):
    return build_studios(app, people)


def stored_files(app) -> list[Path]:
    folder = Path(app.config["UPLOAD_FOLDER"]) / "courseware"
    return sorted(folder.iterdir()) if folder.exists() else []


def rows(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def multipart(client, url: str, data: dict):
    """POST a multipart form encoded in memory (the test client's own encoding spools big
    bodies to a temporary file it never closes)."""
    files = {k: FileStorage(v[0], v[1]) if isinstance(v, tuple) else v for k, v in data.items()}
    boundary, body = encode_multipart(files)
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def post_upload(client, studio_id, content: bytes, name: str, title="变电站倒闸操作", **extra):
    data = {"title": title, "description": "规范与要点", "file": (io.BytesIO(content), name)}
    data.update(extra)
    return multipart(client, f"/studios/{studio_id}/courseware/new", data)


def uploaded(client, scene, content=None, name="讲义.pdf", **extra) -> int:
    response = post_upload(
        client, scene.studio_ids[0], content or GOOD_FILES["pdf"][1], name, **extra
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[-1])


def test_a_member_uploads_and_everyone_sees_the_item(app, client, scene):
    login(client, scene.members[0])
    page = client.get(f"/studios/{scene.studio_ids[0]}/courseware/new")
    assert page.status_code == 200 and "500 MB" in page.get_data(as_text=True)
    item_id = uploaded(client, scene, title="安全规程课件")
    client.post("/account/logout")
    detail = client.get(f"/studios/courseware/{item_id}").get_data(as_text=True)
    assert "安全规程课件" in detail
    assert f"/studios/courseware/{item_id}/versions/1/download" in detail
    assert re.search(r"\d+ K?B<", detail) and "0.0 MB" not in detail  # a small file's size
    listing = client.get(f"/studios/{scene.studio_ids[0]}/courseware").get_data(as_text=True)
    assert "安全规程课件" in listing and "PDF" in listing


def test_file_sizes_read_as_people_say_them():
    sizes = (0, 1023, 1024, 1025, MB - 1, MB, 5 * MB + MB // 2)
    expected = ["0 B", "1023 B", "1 KB", "2 KB", "1024 KB", "1.0 MB", "5.5 MB"]
    assert [file_size(size) for size in sizes] == expected


@pytest.mark.parametrize("kind", sorted(GOOD_FILES))
def test_every_kind_uploads_through_the_page(app, client, scene, kind):
    login(client, scene.leaders[0])
    item_id = uploaded(client, scene, GOOD_FILES[kind][1], GOOD_FILES[kind][0])
    with app.app_context():
        assert db.session.get(Courseware, item_id).kind.value == kind


BAD = {
    "exe renamed pdf": ("setup.pdf", exe(), "Programs cannot be uploaded"),
    "text named docx": ("notes.docx", b"plain text, not a document", "not a PDF, Word"),
    "pptx with 100,000 entries": (
        "slides.pptx",
        zip_with_entries(100_000, ("[Content_Types].xml",)),
        "too many files",
    ),
    "zip bomb": ("bomb.docx", zip_bomb(20), "far more than its size"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_files_get_a_message_and_nothing_is_stored(app, client, scene, case):
    name, content, message = BAD[case]
    login(client, scene.leaders[0])
    response = post_upload(client, scene.studio_ids[0], content, name)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert stored_files(app) == [] and rows(app, Courseware) == 0


def test_an_upload_above_the_limit_is_refused_at_the_limit(make_app, people):
    app = make_app(COURSEWARE_MAX_BYTES=MB, BABEL_DEFAULT_LOCALE="en")
    scene = build_studios(app, people)
    client = app.test_client()
    login(client, scene.leaders[0])
    big = GOOD_FILES["pdf"][1] + b"\n" * (3 * MB)
    response = post_upload(client, scene.studio_ids[0], big, "big.pdf")
    assert response.status_code == 413
    assert "larger than 1 MB" in response.get_data(as_text=True)
    just_over = GOOD_FILES["pdf"][1] + b"\n" * MB  # within the form's allowance: the copy stops
    response = post_upload(client, scene.studio_ids[0], just_over, "over.pdf")
    assert response.status_code == 400 and "larger than 1 MB" in response.get_data(as_text=True)
    assert stored_files(app) == [] and rows(app, Courseware) == 0
    # Other routes keep the site-wide limit: the raise is only for the upload routes.
    assert client.post("/account/login", data={"phone": "x" * (26 * MB)}).status_code == 413


def test_file_names_are_made_safe_for_the_download(app, client, scene):
    login(client, scene.leaders[0])
    item_id = uploaded(client, scene, name="../../etc/课件\x1b\u202e;1.pdf")
    with app.app_context():
        version = db.session.scalar(select(CoursewareVersion))
        assert version.filename == "课件1.pdf"
    assert [f.name for f in stored_files(app)] == [version.storage_key]
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}\.pdf", version.storage_key)
    response = client.get(f"/studios/courseware/{item_id}/versions/1/download")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    assert f'filename="courseware-{item_id}-v1.pdf"' in disposition
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "课件1.pdf"


def test_download_headers_streaming_and_counts(app, client, scene):
    login(client, scene.leaders[0])
    content = GOOD_FILES["docx"][1]
    item_id = uploaded(client, scene, content, "lesson plan.docx")
    client.post("/account/logout")
    url = f"/studios/courseware/{item_id}/versions/1/download"
    for _ in range(3):
        response = client.get(url)
        assert response.status_code == 200 and response.data == content
    headers = response.headers
    assert headers["Content-Disposition"].startswith('attachment; filename="lesson plan.docx"')
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Type"].startswith("application/vnd.openxmlformats")
    assert headers["Content-Length"] == str(len(content))
    assert "sandbox" in headers["Content-Security-Policy"]
    with app.test_request_context(url):
        streamed = app.full_dispatch_request()
        assert streamed.is_streamed and streamed.direct_passthrough
        streamed.close()
    with app.app_context():
        assert db.session.get(Courseware, item_id).download_count == 4
    assert "4 downloads" in client.get(f"/studios/courseware/{item_id}").get_data(as_text=True)


def test_new_versions_keep_the_old_ones(app, client, scene):
    login(client, scene.members[0])
    item_id = uploaded(client, scene)
    page = client.get(f"/studios/courseware/{item_id}/versions/new")
    assert page.status_code == 200
    response = multipart(
        client,
        f"/studios/courseware/{item_id}/versions/new",
        {"file": (io.BytesIO(GOOD_FILES["mp4"][1]), "v2.mp4")},
    )
    assert response.status_code == 302
    detail = client.get(f"/studios/courseware/{item_id}").get_data(as_text=True)
    assert "v2.mp4" in detail and "讲义.pdf" in detail
    old = client.get(f"/studios/courseware/{item_id}/versions/1/download")
    new = client.get(f"/studios/courseware/{item_id}/versions/2/download")
    assert old.data == GOOD_FILES["pdf"][1] and new.data == GOOD_FILES["mp4"][1]
    assert new.headers["Content-Type"] == "video/mp4"
    bad = multipart(
        client,
        f"/studios/courseware/{item_id}/versions/new",
        {"file": (io.BytesIO(exe()), "v3.pdf")},
    )
    assert bad.status_code == 400 and len(stored_files(app)) == 2


def test_only_members_upload(app, client, scene):
    new_url = f"/studios/{scene.studio_ids[0]}/courseware/new"
    assert client.get(new_url).status_code == 302  # signed out: to the login page
    for person in (scene.outsider, scene.leaders[1], scene.city_admin):
        login(client, person)
        assert client.get(new_url).status_code == 403
        assert (
            post_upload(client, scene.studio_ids[0], GOOD_FILES["pdf"][1], "a.pdf").status_code
            == 403
        )
        client.post("/account/logout")
    login(client, scene.leaders[0])
    item_id = uploaded(client, scene)
    client.post("/account/logout")
    login(client, scene.outsider)
    version_url = f"/studios/courseware/{item_id}/versions/new"
    assert client.get(version_url).status_code == 403
    response = multipart(client, version_url, {"file": (io.BytesIO(GOOD_FILES["pdf"][1]), "x.pdf")})
    assert response.status_code == 403
    assert len(stored_files(app)) == 1 and rows(app, CoursewareVersion) == 1


def test_missing_things_are_404(app, client, scene):
    login(client, scene.leaders[0])
    item_id = uploaded(client, scene)
    for url in (
        "/studios/courseware/999999",
        "/studios/courseware/99999999999999999999",
        f"/studios/courseware/{item_id}/versions/9/download",
        "/studios/999999/courseware",
        f"/studios/{scene.pending_id}/courseware",
        "/studios/999999/courseware/new",
    ):
        assert client.get(url).status_code == 404, url
    assert post_upload(client, scene.studio_ids[0], b"", "").status_code == 400


def test_a_worker_training_in_a_tagged_trade_sees_the_item(app, client, scene, trade_id):
    login(client, scene.leaders[0])
    uploaded(client, scene, title="安全用电课件", trade_ids=[str(trade_id)])
    uploaded(client, scene, title="没有工种的课件")
    client.post("/account/logout")
    login(client, scene.outsider)
    before = client.get("/skills/training/").get_data(as_text=True)
    assert "安全用电课件" not in before
    client.post("/skills/training/trades", data={"trade_id": [str(trade_id)]})
    page = client.get("/skills/training/").get_data(as_text=True)
    assert "安全用电课件" in page and "王强电力创新工作室" in page
    assert "没有工种的课件" not in page


def test_a_body_without_a_length_stops_at_the_limit(make_app, people):
    """Chunked bodies (no Content-Length) are read only up to the limit, then refused."""
    app = make_app(COURSEWARE_MAX_BYTES=MB, BABEL_DEFAULT_LOCALE="en")
    scene = build_studios(app, people)
    client = app.test_client()
    login(client, scene.leaders[0])
    big = FileStorage(io.BytesIO(GOOD_FILES["pdf"][1] + b"\n" * (3 * MB)), "big.pdf")
    boundary, body = encode_multipart({"title": "大文件", "file": big})
    stream = io.BytesIO(body)
    response = client.post(
        f"/studios/{scene.studio_ids[0]}/courseware/new",
        input_stream=stream,
        content_type=f"multipart/form-data; boundary={boundary}",
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert response.status_code == 413 and "larger than 1 MB" in response.text
    assert stream.tell() <= 2 * MB + 64 * 1024  # stopped near the limit, not at 3 MB
    assert stored_files(app) == [] and rows(app, Courseware) == 0
