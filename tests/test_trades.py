"""The trades catalogue: CSV import by CLI and web page, search, and editing by organisers."""

import csv
import io
import re

import pytest

from guild.accounts.roles import Role
from guild.audit.models import AuditEntry
from guild.audit.services import Actor
from guild.cli import SEED_TRADES
from guild.extensions import db
from guild.trades.levels import SkillLevel
from guild.trades.models import Trade
from guild.trades.services.catalogue import TradeFields, save_trade

HEADER = "code,name,category,levels\n"
GOOD_ROWS = (
    "6-18-01-01,车工,机械制造,L5 L4 L3\n"
    "6-18-01-06,钻床工,机械制造,L5 L4\n"
    "6-18-06-01,铣工,机械制造,L5\n"
)

# (content, the line numbers each error must mention, in order)
BAD_FILES = {
    "missing_column": ("code,name,levels\n6-18-01-01,车工,L5\n".encode(), [(1,)]),
    "duplicate_code": (
        (
            HEADER + GOOD_ROWS + "6-18-08-01,磨工,机械制造,L5\n6-18-01-06,镗工,机械制造,L5\n"
        ).encode(),
        [(6, 3)],
    ),
    "empty_name": ((HEADER + GOOD_ROWS + "6-18-08-01,,机械制造,L5\n").encode(), [(5,)]),
    "gbk": ((HEADER + "6-31-01-03,电工,电力能源,L5\n").encode("gbk"), [(2,)]),
    "empty_file": (b"", [(1,)]),
    "invalid_code": ((HEADER + "6-31-1-03,电工,电力能源,L5\n" + GOOD_ROWS).encode(), [(2,)]),
    "unknown_level": ((HEADER + GOOD_ROWS.replace("L5 L4\n", "L6\n")).encode(), [(3,)]),
    "huge_cell": (
        (HEADER + "6-31-01-03,电工,电力能源,L5\n" + "x" * 200_000 + "\n").encode(),
        [(3,)],
    ),
    "nul_character": ((HEADER + "6-31-01-03,电\x00工,电力能源,L5\n").encode(), [(1,)]),
    "arabic_indic_code": ((HEADER + "٦-٣١-٠١-٠٣,电工,电力能源,L5\n").encode(), [(2,)]),
    "one_bad_row_of_many": (
        (HEADER + GOOD_ROWS + "6-18-08-01,磨工,,L5\n" + "6-18-08-06,镗工,机械制造,L5\n").encode(),
        [(5,)],
    ),
}


def mentions(text: str, number: int) -> bool:
    """Tell whether the text names this number on its own (not inside a code like 6-18-01-01)."""
    return re.search(rf"(?<![\d-]){number}(?![\d-])", text) is not None


def assert_errors(messages: list[str], expected: list[tuple[int, ...]]) -> None:
    """Each expected error is listed, in order, and names its line numbers."""
    assert len(messages) == len(expected), messages
    for message, numbers in zip(messages, expected, strict=True):
        assert all(mentions(message, n) for n in numbers), (message, numbers)


def import_file(runner, tmp_path, content: bytes):
    """Run `flask trades import` on a file holding the content."""
    path = tmp_path / "trades-import.csv"
    path.write_bytes(content)
    return runner.invoke(args=["trades", "import", str(path)])


def upload(client, content: bytes):
    """Post a CSV to the import page."""
    return client.post(
        "/trades/import",
        data={"file": (io.BytesIO(content), "t.csv")},
        content_type="multipart/form-data",
    )


def page_errors(html: str) -> list[str]:
    """The items of the import page's error list."""
    block = re.search(r'<div class="alert alert-danger"><ul class="mb-0">(.*?)</ul>', html, re.S)
    return re.findall(r"<li>(.*?)</li>", block.group(1), re.S) if block else []


def count(app, model) -> int:
    """Rows in a table."""
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(model))


def trade_by_name(app, name: str) -> Trade | None:
    """The trade with this name, detached from the session."""
    with app.app_context():
        trade = db.session.scalar(db.select(Trade).where(Trade.name == name))
        if trade is not None:
            db.session.expunge(trade)
        return trade


def add_trade(app, name: str, category: str = "机械制造", code: str | None = None) -> int:
    """Create a trade through the catalogue service; return its id."""
    with app.app_context():
        trade = save_trade(
            Actor(None, "test"), None, TradeFields(name, category, (SkillLevel.L5,), code)
        )
        db.session.commit()
        return trade.id


def seed_codes() -> dict[str, str]:
    """Name to code, as written in the seed file."""
    with SEED_TRADES.open(encoding="utf-8-sig", newline="") as handle:
        return {row["name"]: row["code"] for row in csv.DictReader(handle)}


def listed(client, **query) -> set[str]:
    """The trade names a search lists, over all its pages."""
    names: set[str] = set()
    for page in range(1, 30):
        response = client.get("/trades/", query_string={**query, "page": page})
        assert response.status_code == 200
        found = re.findall(r"<tr>\s*<td>(.*?)</td>", response.get_data(as_text=True))
        if not found:
            return names
        names.update(found)
    raise AssertionError("the list never ends")


@pytest.fixture
def seeded(app, runner):
    """The seed catalogue imported through the CLI."""
    result = runner.invoke(args=["trades", "import", str(SEED_TRADES)])
    assert result.exit_code == 0, result.output


def test_seed_catalogue_imports_by_cli(app, runner):
    """The seed file imports whole, with 电工 and 焊工 under their codes, and is audited."""
    result = runner.invoke(args=["trades", "import", str(SEED_TRADES)])
    assert result.exit_code == 0, result.output
    total = count(app, Trade)
    assert total >= 60
    assert f"{total} created" in result.output
    codes = seed_codes()
    for name in ("电工", "焊工"):
        assert trade_by_name(app, name).code == codes[name]
    with app.app_context():
        entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "trades.import"))
        assert entry.after["created"] == total


def test_reimporting_seed_changes_nothing(app, runner, seeded):
    """A second import of the same file creates and updates nothing."""
    with app.app_context():
        before = db.session.execute(
            db.select(Trade.id, Trade.code, Trade.name, Trade.category, Trade.level_codes)
        ).all()
    result = runner.invoke(args=["trades", "import", str(SEED_TRADES)])
    assert result.exit_code == 0, result.output
    assert f"0 created, 0 updated, {len(before)} unchanged" in result.output
    with app.app_context():
        after = db.session.execute(
            db.select(Trade.id, Trade.code, Trade.name, Trade.category, Trade.level_codes)
        ).all()
    assert sorted(after) == sorted(before)


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_bad_csv_by_cli_lists_lines_and_imports_nothing(app, runner, tmp_path, name):
    """The CLI refuses a bad file, names the faulty lines and writes no trade."""
    content, expected = BAD_FILES[name]
    result = import_file(runner, tmp_path, content)
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert_errors(result.output.strip().splitlines()[:-1], expected)
    assert count(app, Trade) == 0


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_bad_csv_by_web_lists_lines_and_imports_nothing(app, client, as_role, name):
    """The upload page refuses a bad file, names the faulty lines and writes no trade."""
    as_role(Role.ORGANISER)
    content, expected = BAD_FILES[name]
    response = upload(client, content)
    assert response.status_code == 200
    assert_errors(page_errors(response.get_data(as_text=True)), expected)
    assert count(app, Trade) == 0
    with app.app_context():
        assert db.session.scalar(db.select(AuditEntry).filter_by(action="trades.import")) is None


def test_missing_column_is_named(client, as_role):
    """The error for a missing column names the column."""
    as_role(Role.ORGANISER)
    errors = page_errors(upload(client, BAD_FILES["missing_column"][0]).get_data(as_text=True))
    assert "category" in errors[0]


def test_chinese_headers_and_levels_import(app, client, as_role):
    """Chinese column headings and levels written 五级 四级 are understood."""
    as_role(Role.ORGANISER)
    content = "职业编码,工种名称,类别,等级\n6-31-01-03,电工,设备维修,五级 四级\n".encode()
    assert upload(client, content).status_code == 302
    trade = trade_by_name(app, "电工")
    assert (trade.code, trade.category, trade.level_codes) == (
        "6-31-01-03",
        "设备维修",
        ["L5", "L4"],
    )


def test_utf8_bom_file_imports(app, client, as_role):
    """A file saved by Excel as CSV UTF-8 (with BOM) imports."""
    as_role(Role.ORGANISER)
    content = (HEADER + "6-18-02-04,焊工,机械制造,L5 L4 L3\n").encode("utf-8-sig")
    assert upload(client, content).status_code == 302
    assert trade_by_name(app, "焊工").level_codes == ["L5", "L4", "L3"]


def test_visitor_search_by_text(client, seeded):
    """A visitor searching 电 sees 电工 and not 焊工."""
    names = listed(client, q="电")
    assert "电工" in names
    assert "焊工" not in names


def test_category_filter(app, client, seeded):
    """Filtering on a category lists exactly its trades."""
    with app.app_context():
        expected = set(db.session.scalars(db.select(Trade.name).filter_by(category="机械制造")))
    names = listed(client, category="机械制造")
    assert "焊工" in names
    assert names == expected


def test_search_wildcards_are_literal(app, client):
    """% and _ in the search text match only themselves."""
    for name in ("百分之100%员", "百分之1000员", "安全_员", "安全甲员"):
        add_trade(app, name)
    assert listed(client, q="0%") == {"百分之100%员"}
    assert listed(client, q="全_员") == {"安全_员"}


@pytest.mark.parametrize("page", ["99999999", "100000000000000000000000"])
def test_huge_page_number(client, seeded, page):
    """A page far past the end is an empty list, not an error."""
    assert client.get(f"/trades/?page={page}").status_code == 200


def test_organiser_edits_trade(app, client, as_role):
    """An edit changes the row and records before and after in the audit log."""
    trade_id = add_trade(app, "焊工", code="6-18-02-04")
    as_role(Role.ORGANISER)
    response = client.post(
        f"/trades/{trade_id}/edit",
        data={"name": "电焊工", "category": "焊接", "code": "6-18-02-05", "levels": ["L3", "L5"]},
    )
    assert response.status_code == 302
    with app.app_context():
        trade = db.session.get(Trade, trade_id)
        assert (trade.name, trade.category, trade.code) == ("电焊工", "焊接", "6-18-02-05")
        assert trade.level_codes == ["L5", "L3"]
        entry = db.session.scalar(
            db.select(AuditEntry).filter_by(action="trade.update", object_id=str(trade_id))
        )
        assert entry.before["name"] == "焊工"
        assert entry.after == {
            "code": "6-18-02-05",
            "name": "电焊工",
            "category": "焊接",
            "levels": ["L5", "L3"],
        }


def test_duplicate_name_is_a_field_error(app, client, as_role):
    """Renaming a trade to another trade's name marks the field and changes nothing."""
    add_trade(app, "车工", code="6-18-01-01")
    trade_id = add_trade(app, "铣工", code="6-18-01-02")
    as_role(Role.ORGANISER)
    response = client.post(
        f"/trades/{trade_id}/edit",
        data={"name": "车工", "category": "机械制造", "code": "6-18-01-02", "levels": ["L5"]},
    )
    assert response.status_code == 200
    assert re.search(r'<input[^>]*is-invalid[^>]*name="name"', response.get_data(as_text=True))
    with app.app_context():
        assert db.session.get(Trade, trade_id).name == "铣工"
        assert db.session.scalar(db.select(AuditEntry).filter_by(action="trade.update")) is None


def test_worker_cannot_edit_or_create(app, client, as_role):
    """A worker is refused the edit and new-trade pages, and a posted edit changes nothing."""
    trade_id = add_trade(app, "焊工")
    as_role()
    assert client.get(f"/trades/{trade_id}/edit").status_code == 403
    assert client.get("/trades/new").status_code == 403
    data = {"name": "改名", "category": "机械制造", "levels": ["L5"]}
    assert client.post(f"/trades/{trade_id}/edit", data=data).status_code == 403
    assert client.post("/trades/new", data=data).status_code == 403
    assert count(app, Trade) == 1
    assert trade_by_name(app, "焊工") is not None


def test_organiser_creates_trade(app, client, as_role):
    """A new trade posted by an organiser is saved and audited."""
    as_role(Role.ORGANISER)
    response = client.post(
        "/trades/new",
        data={"name": "电工", "category": "设备维修", "code": "6-31-01-03", "levels": ["L4", "L5"]},
    )
    assert response.status_code == 302
    trade = trade_by_name(app, "电工")
    assert (trade.code, trade.category, trade.level_codes) == (
        "6-31-01-03",
        "设备维修",
        ["L5", "L4"],
    )
    with app.app_context():
        entry = db.session.scalar(db.select(AuditEntry).filter_by(action="trade.create"))
        assert entry.object_id == str(trade.id)


def test_trade_needs_a_level(app, client, as_role):
    """A trade with no level chosen is refused with an error on the levels."""
    as_role(Role.ORGANISER)
    response = client.post("/trades/new", data={"name": "电工", "category": "设备维修"})
    assert response.status_code == 200
    assert "is-invalid" in response.get_data(as_text=True)
    assert count(app, Trade) == 0


def test_an_empty_code_cell_keeps_the_code(app, runner, tmp_path):
    """Updating by name with no code in the file leaves the trade's code as it was."""
    add_trade(app, "车工", code="6-18-01-01")
    result = import_file(runner, tmp_path, "name,category,levels\n车工,机械制造,L5 L4\n".encode())
    assert result.exit_code == 0, result.output
    trade = trade_by_name(app, "车工")
    assert (trade.code, trade.level_codes) == ("6-18-01-01", ["L5", "L4"])


def test_two_rows_for_one_trade_are_refused(app, runner, tmp_path):
    """A row matching by code and another by name, both the same trade: refused, by line."""
    add_trade(app, "车工", code="6-18-01-01")
    content = HEADER + "6-18-01-01,车工甲,机械制造,L5\n,车工,机械制造,L4\n"
    result = import_file(runner, tmp_path, content.encode())
    assert result.exit_code != 0
    assert mentions(result.output, 3) and mentions(result.output, 2)
    assert trade_by_name(app, "车工").level_codes == ["L5"]
