"""Search across the studios' publications: Chinese words, mixed text, hostile input, alike on
SQLite and PostgreSQL (TEST_DATABASE_URL)."""

from datetime import date

import pytest

from guild.extensions import db
from studios.search_models import SearchEntry, SearchKind
from studios.services.search import index_item, query_terms, search, term_tokens, unindex_item
from tests.publication_scene import build_publication_scene


@pytest.fixture
def app(make_app):
    """The app speaking English, so refusals are matched as the code words them."""
    return make_app(BABEL_DEFAULT_LOCALE="en")


P, A, C, S = SearchKind.PATENT, SearchKind.ACHIEVEMENT, SearchKind.COURSEWARE, SearchKind.STUDIO

# (kind, object id, title, body, published on) — studio ids are filled in by the fixture.
ROWS = [
    (
        P,
        1,
        "一种电力电缆焊接装置",
        "申请号 CN202310123456.7 本实用新型涉及焊接技术领域。",
        date(2023, 5, 1),
    ),
    (P, 2, "数控机床刀具快速更换夹具", "涉及数控加工，提高换刀效率 50%。", date(2022, 3, 9)),
    (A, 3, "变电站巡检机器人", "巡检效率提升，年节约成本 120 万元_节能。", date(2024, 1, 20)),
    (
        A,
        4,
        "Smart Grid 运维平台",
        "基于 Python 与 PostgreSQL 的运维平台 (OR NEAR)。",
        date(2021, 7, 7),
    ),
    (C, 5, "电工基础培训课件", '电工、焊工入门教程 "引号" 与 * 星号。', date(2023, 9, 1)),
    (C, 6, "ＣＮ２０２３ 全角标题", "全角数字与字母 ＡＢＣ 测试。", date(2020, 2, 2)),
    (S, 7, "王伟电力创新工作室", "全国劳动模范 杭州市 电力", date(2019, 5, 1)),
]
PENDING_ROW = (P, 8, "待审工作室的焊接专利", "不应被搜到 焊接", date(2024, 6, 1))

# query, kinds, expected object ids in order (published_on desc, id desc)
QUERIES = [
    ("焊接", None, [1]),  # 2-character word; the pending studio's patent is not found
    ("电工", None, [5]),
    ("电", None, [3, 5, 1, 7]),  # 1 character (rows 2, 4 and 6 have no 电)
    ("巡检机器人", None, [3]),  # 3+ characters
    ("数控机床刀具", None, [2]),
    ("焊接 电缆", None, [1]),  # two terms, both required
    ("焊接 机器人", None, []),
    ("CN2023", None, [1, 6]),  # mixed ASCII and digits; full-width text found by half-width
    ("ｃｎ２０２３", None, [1, 6]),  # full-width query
    ("cn2023", None, [1, 6]),  # case
    ("ＡＢＣ", None, [6]),
    ("abc", None, [6]),
    ("smart grid", None, [4]),
    ("SMART", None, [4]),
    ("postgresql", None, [4]),
    ("python", [C], []),  # kind filter
    ("电", [C, S], [5, 7]),
    ("月球基地", None, []),  # absent
    ("焊接电工", None, []),  # its pairs are there, the term is not
    ('"', None, []),  # FTS syntax: quotes
    ('"焊接"', None, []),  # the quotes are part of the term
    ('引号"', None, [5]),
    ("*", None, []),
    ("电*", None, []),
    ("星号", None, [5]),
    ("OR", None, [4]),  # a word, not an operator
    ("焊接 OR 电工", None, []),
    ("NEAR(", None, []),
    ("near)", None, [4]),
    ("NEAR(焊接", None, []),
    ("(or", None, [4]),
    ("%", None, []),  # no word character: nothing
    ("50%", None, [2]),
    ("5%", None, []),  # LIKE wildcards are plain characters
    ("_", None, []),
    ("元_节能", None, [3]),
    ("万元_", None, [3]),
    ("元%节能", None, []),
    ("", None, []),
    ("   ", None, []),
    ("- ^ :", None, []),
    ("tokens:焊接", None, []),
]


@pytest.fixture
def scene(app, people):
    made = build_publication_scene(app, people)
    with app.app_context():
        for kind, object_id, title, body, day in ROWS:
            index_item(kind, object_id, made.studio_id, title, body, day)
        kind, object_id, title, body, day = PENDING_ROW
        index_item(kind, object_id, made.pending_studio_id, title, body, day)
        db.session.commit()
    return made


@pytest.mark.parametrize(("query", "kinds", "expected"), QUERIES)
def test_query_table(app, scene, query, kinds, expected):
    with app.app_context():
        page = search(query, set(kinds) if kinds is not None else None)
        assert [hit.object_id for hit in page.items] == expected
        assert page.has_more is False


def test_tokens_are_characters_and_pairs_of_words():
    assert term_tokens("焊接 装置") == ["焊", "接", "焊接", "装", "置", "装置"]
    assert term_tokens("c++") == ["c"]
    assert term_tokens("a.b") == ["a", "b"]
    assert query_terms("  ＣＮ２０２３  焊接 焊接 ") == ["cn2023", "焊接"]
    assert len(query_terms(" ".join(f"w{i}" for i in range(30)))) == 10
    assert query_terms("焊" * 80) == ["焊" * 50]


def test_hits_carry_what_the_page_shows(app, scene):
    with app.app_context():
        (hit,) = search("巡检机器人").items
        assert (hit.kind, hit.studio_id, hit.title) == (A, scene.studio_id, "变电站巡检机器人")
        assert hit.published_on == date(2024, 1, 20)
        assert "巡检效率" in hit.snippet and "变电站" not in hit.snippet


def test_pages_follow_each_other(app, scene):
    with app.app_context():
        first = search("电", limit=2)
        second = search("电", limit=2, offset=2)
        assert [h.object_id for h in first.items] == [3, 5] and first.has_more
        assert [h.object_id for h in second.items] == [1, 7] and not second.has_more


def test_an_edit_updates_the_index_and_a_delete_removes_it(app, scene):
    with app.app_context():
        index_item(P, 1, scene.studio_id, "一种变压器散热装置", "散热", date(2023, 5, 1))
        db.session.commit()
        assert search("焊接").items == []
        assert [h.object_id for h in search("散热").items] == [1]
        assert db.session.query(SearchEntry).filter_by(kind=P, object_id=1).count() == 1
        unindex_item(P, 1)
        db.session.commit()
        assert search("散热").items == []
        unindex_item(P, 1)  # twice is harmless


def test_many_rows_stay_in_order_and_page(app, scene):
    with app.app_context():
        for number in range(100, 130):
            index_item(C, number, scene.other_studio_id, f"焊工课件{number}", "", date(2020, 1, 1))
        db.session.commit()
        page = search("焊工课件", limit=25)
        assert len(page.items) == 25 and page.has_more
        assert [h.object_id for h in page.items] == list(range(129, 104, -1))
        rest = search("焊工课件", limit=25, offset=25)
        assert [h.object_id for h in rest.items] == list(range(104, 99, -1))
