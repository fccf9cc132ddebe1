"""Contest marking schemes: the rules of validate, and .xlsx reading, writing and the template."""

import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from flask import Flask
from flask_babel import Babel

from competitions.contests.scheme import (
    EXAMPLE,
    Aspect,
    AspectKind,
    Criterion,
    Problem,
    Scheme,
    SubCriterion,
    marks_by_criterion,
    validate,
)
from competitions.contests.scheme_xlsx import MAX_BYTES, read_scheme
from competitions.contests.scheme_xlsx_write import template, write_scheme

M, J = AspectKind.MEASUREMENT, AspectKind.JUDGEMENT
HEADER = ["模块编号", "模块名称", "二级指标编号", "二级指标名称", "评分项编号", "评分项"]
HEADER += ["类型", "分值", "要求", "评分标准0", "评分标准1", "评分标准2", "评分标准3"]
ENGLISH = ["criterion_code", "Criterion", "Sub-criterion code", "sub_criterion", "Aspect code"]
ENGLISH += ["aspect", "kind", "Max mark", "requirement"]
ENGLISH += [f"descriptor_{score}" for score in range(4)]
LEVELS = ["未完成", "基本完成", "完成良好", "完成优秀"]
NOT_XLSX = "not an .xlsx file (old .xls and password-protected workbooks cannot be read)"


def xlsx_file(rows: list[list], header: list[str] = HEADER) -> bytes:
    """An .xlsx written by openpyxl (which stores text starting with "=" as a formula)."""
    workbook = openpyxl.Workbook()
    for row in [header, *rows]:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def good_rows(last_mark: float = 40) -> list[list]:
    """Three aspects summing to 100 (with the default), criterion cells left blank below."""
    return [
        ["A", "安全文明生产", "A1", "安全防护", "A1.1", "穿戴劳保用品", "测量", 20, "全程穿戴"],
        ["", "", "", "", "A1.2", "工位整洁", "评价", 40, "", *LEVELS],
        ["B", "线路安装", "B1", "布线", "B1.1", "导线颜色正确", "测量", last_mark],
    ]


def refused(content: bytes) -> list[Problem]:
    """The problems of a file that must be refused, with no scheme."""
    scheme, problems = read_scheme(content)
    assert scheme is None and problems
    return problems


def messages(problems: list[Problem]) -> list[str]:
    """The problems' texts."""
    return [problem.message for problem in problems]


def measurement(code: str, mark: str, description: str = "测量项") -> Aspect:
    """A measurement aspect with a requirement."""
    return Aspect(code, description, M, Decimal(mark), requirement="≥ 0.5 MΩ")


def one_criterion(*aspects: Aspect, name: str = "模块") -> Scheme:
    """A scheme of one criterion A with one sub-criterion A1 holding the aspects."""
    return Scheme((Criterion("A", name, (SubCriterion("A1", "二级", aspects),)),))


# ---- round trips and the template ---------------------------------------------------------


def test_write_then_read_gives_the_same_scheme():
    """Every field survives: decimals, descriptors, requirements, line breaks, odd starts."""
    judged = Aspect("A1.2", "+ 工艺美观\n第二行", J, Decimal("0.25"), ("-", "@一般", "好", "优"))
    scheme = Scheme(
        (
            Criterion(
                "A",
                "安全",
                (
                    SubCriterion("A1", "防护", (measurement("A1.1", "39.75"), judged)),
                    SubCriterion("A2", "整洁", (measurement("A2.1", "10"),)),
                ),
            ),
            Criterion("B", "安装", (SubCriterion("B1", "布线", (measurement("B1.1", "50"),)),)),
        )
    )
    assert validate(scheme) == []
    read, problems = read_scheme(write_scheme(scheme))
    assert problems == [] and read == scheme
    assert [aspect.row for aspect in read.aspects()] == [2, 3, 4, 5]
    assert [criterion.row for criterion in read.criteria] == [2, 5]


def test_the_template_is_a_valid_example_with_instructions():
    """The template reads back as the example: 100 marks, merged groups, a 说明 sheet."""
    content = template()
    scheme, problems = read_scheme(content)
    assert problems == [] and scheme == EXAMPLE and validate(EXAMPLE) == []
    assert scheme.total == 100
    assert marks_by_criterion(scheme) == {"A": 10, "B": 40, "C": 35, "D": 15}
    assert {aspect.kind for aspect in scheme.aspects()} == {M, J}
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["评分标准", "说明"]
    assert [cell.value for cell in workbook["评分标准"][1]] == HEADER
    assert "A2:A5" in {str(cells) for cells in workbook["评分标准"].merged_cells.ranges}
    notes = [row for row in workbook["说明"].iter_rows(values_only=True)]
    assert ("合计", "100", "应为 100") in notes


def test_repeated_and_blank_group_cells_read_the_same():
    """Criterion and sub-criterion cells may be repeated on every row or left blank below."""
    blank, problems = read_scheme(xlsx_file(good_rows()))
    assert problems == []
    repeated = good_rows()
    repeated[1][:4] = ["A", "安全文明生产", "A1", ""]
    assert read_scheme(xlsx_file(repeated)) == (blank, [])
    assert [sub.max_mark for sub in blank.criteria[0].sub_criteria] == [60]
    assert blank.aspects().__next__().requirement == "全程穿戴"


def test_english_headers_and_kinds_are_accepted():
    """English titles in any case and spacing, and English kind words, read as Chinese ones."""
    rows = good_rows()
    rows[0][6], rows[1][6], rows[2][6] = "Measurement", "judgement", "M"
    scheme, problems = read_scheme(xlsx_file(rows, ENGLISH))
    assert problems == []
    assert scheme == read_scheme(xlsx_file(good_rows()))[0]


# ---- the rules ----------------------------------------------------------------------------


def test_marks_must_sum_to_100_and_the_message_says_the_sum():
    """A scheme adding up to anything but exactly 100 is refused, naming its sum."""
    assert messages(refused(xlsx_file(good_rows(39.5)))) == ["the marks add up to 99.5, not 100"]
    scheme = one_criterion(measurement("A1.1", "60"), measurement("A1.2", "40.01"))
    assert validate(scheme) == [Problem(0, "the marks add up to 100.01, not 100")]


@pytest.mark.parametrize(
    ("mark", "message"),
    [
        (0, "A1.2: the mark must be more than 0 (it is 0)"),
        (-40, "A1.2: the mark must be more than 0 (it is -40)"),
        (40.005, "A1.2: the mark has more than two decimals"),
        ("五分", "the mark “五分” is not a number"),
        ("NaN", "the mark “NaN” is not a number"),
        ("", "the mark is missing"),
    ],
)
def test_bad_marks_are_refused_with_their_row(mark, message):
    """A mark must be a number above 0 with at most two decimals; the problem is at row 3."""
    rows = good_rows()
    rows[1][7] = mark
    assert Problem(3, message) in refused(xlsx_file(rows))


def test_a_huge_mark_is_refused_without_an_error():
    """A mark like 1E+999999 is a clear problem, never an overflow."""
    rows = good_rows()
    rows[1][7] = "1e999999"
    assert refused(xlsx_file(rows)) == [Problem(3, "A1.2: the mark is more than 100")]


def test_an_unknown_kind_is_refused():
    """类型 must be 测量 or 评价 (or their English words)."""
    rows = good_rows()
    rows[2][6] = "打分"
    message = "the kind must be 测量 (measurement) or 评价 (judgement), not “打分”"
    assert refused(xlsx_file(rows)) == [Problem(4, message)]


def test_judgement_aspects_need_all_four_descriptors():
    """Missing descriptors are listed by score; a measurement aspect takes none."""
    rows = good_rows()
    rows[1][11:13] = ["", " "]
    rows[0][9:13] = LEVELS
    assert refused(xlsx_file(rows)) == [
        Problem(2, "A1.1: a measurement aspect takes no descriptors for 0–3"),
        Problem(
            3,
            "A1.2: a judgement aspect needs descriptors for scores 0, 1, 2 and 3 (missing: 2, 3)",
        ),
    ]


def test_duplicate_codes_are_refused_at_the_later_row():
    """Codes are unique across the scheme, compared without case."""
    rows = good_rows()
    rows[1][4] = "a1.1"
    rows[2][2] = "A1"
    assert refused(xlsx_file(rows)) == [
        Problem(3, "code a1.1 is used twice (first in row 2)"),
        Problem(4, "code A1 is used twice (first in row 2)"),
    ]


def test_validate_checks_names_lengths_and_empty_groups():
    """Rules for schemes built in code: no row is known, so problems are at row 0."""
    long_name = SubCriterion("A 1", "x" * 101, (measurement("A1.1", "100", ""),))
    no_code = SubCriterion("", "无编号", (measurement("A2.1", "1", "y" * 501),))
    empty = Criterion("B", "空", (SubCriterion("B1", "空", ()),))
    scheme = Scheme((Criterion("A", " ", (long_name, no_code)), empty, Criterion("C", "空", ())))
    assert all(problem.where == 0 for problem in validate(scheme))
    assert messages(validate(scheme)) == [
        "A: the name is empty",
        "code “A 1” holds spaces",
        "A 1: the name is longer than 100 characters",
        "A1.1: the description is empty",
        "a code is empty",
        "A2.1: the description is longer than 500 characters",
        "B has no aspects",
        "B1 has no aspects",
        "C has no aspects",
        "the marks add up to 101, not 100",
    ]
    assert messages(validate(Scheme(()))) == ["the marking scheme has no criteria"]


def test_validate_checks_descriptor_counts_and_kinds():
    """Five descriptors, or a kind that is not an AspectKind, are problems, not errors."""
    five = Aspect("A1.1", "评价项", J, Decimal(50), ("0", "1", "2", "3", "4"))
    odd = Aspect("A1.2", "怪项", "guess", Decimal(50))  # type: ignore[arg-type]
    assert messages(validate(one_criterion(five, odd))) == [
        "A1.1: a judgement aspect has exactly four descriptors, for 0–3",
        "A1.2: the kind must be measurement or judgement",
    ]


def test_floats_are_taken_as_written():
    """A float mark becomes the Decimal of its shortest text: 0.1 + 0.2 stays 0.3."""
    aspect = Aspect("A1.1", "测量项", M, 0.3)  # type: ignore[arg-type]
    assert aspect.max_mark == Decimal("0.3")
    assert one_criterion(aspect, measurement("A1.2", "99.7")).total == 100


# ---- bad files ----------------------------------------------------------------------------


def test_empty_and_header_only_files():
    """Nothing at all, and titles with no aspect below, are both refused."""
    assert refused(b"") == [Problem(0, "the file is empty")]
    assert refused(xlsx_file([])) == [Problem(0, "the file holds no aspects")]


@pytest.mark.parametrize(
    "content",
    [
        b"\x00" * 10,
        "模块编号,模块名称\nA,安全\n".encode(),
        b"PK\x03\x04 damaged",
        b"\xd0\xcf\x11\xe0",
    ],
)
def test_files_that_are_not_xlsx_are_refused(content):
    """CSV, old .xls and damaged archives get one clear problem."""
    assert refused(content) == [Problem(0, NOT_XLSX)]


def test_too_large_files_are_refused():
    """A file over the limit is refused before it is opened."""
    content = xlsx_file(good_rows()) + b"\x00" * MAX_BYTES
    assert refused(content) == [Problem(0, "the file is too large (more than 2 MB)")]


def test_zip_bombs_are_refused():
    """An entry that packs more than 100 to one is refused before parsing."""
    buffer = io.BytesIO(xlsx_file(good_rows()))
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\x00" * (3 * 1024 * 1024))
    message = "the .xlsx file unpacks to too much data: it is damaged or malicious"
    assert refused(buffer.getvalue()) == [Problem(0, message)]


def test_formulas_are_refused_with_their_row_and_column():
    """A formula cell (openpyxl writes "=…" as one) is refused, whatever its value."""
    rows = good_rows()
    rows[2][7] = "=100-20-40"
    rows[1][5] = "=A1"
    assert refused(xlsx_file(rows)) == [
        Problem(3, "formulas are not allowed (评分项)"),
        Problem(4, "formulas are not allowed (分值)"),
    ]


def test_wrong_headers_are_refused():
    """Missing, repeated and unknown titles are all named, at row 1."""
    header = ["模块", "模块", "二级指标编号", "二级指标", "评分项编号", "评分项", "类别", "分值"]
    assert refused(xlsx_file(good_rows(), header)) == [
        Problem(
            1,
            "missing required columns (titles go in row 1): 模块编号 (criterion_code), 类型 (kind)",
        ),
        Problem(1, "columns given twice: 模块"),
        Problem(1, "unknown columns: 类别 (use the template's titles)"),
    ]


def test_notes_columns_are_ignored():
    """备注 and 序号 columns are accepted and their cells ignored."""
    rows = [[*row, *[""] * (13 - len(row)), "说明文字"] for row in good_rows()]
    scheme, problems = read_scheme(xlsx_file(rows, [*HEADER, "备注"]))
    assert problems == [] and scheme == read_scheme(xlsx_file(good_rows()))[0]


# ---- grouping problems and row numbers ----------------------------------------------------


def test_grouping_problems_have_row_numbers():
    """A first row without a criterion, a name without its code, a renamed criterion."""
    rows = good_rows()
    rows.insert(0, ["", "", "", "", "A0.1", "无模块", "测量", 1])
    rows[2][1] = "另一个名字"
    rows[2][0] = "A"
    rows[3][2:4] = ["", "孤立名称"]
    assert refused(xlsx_file(rows)) == [
        Problem(2, "the criterion code is missing"),
        Problem(4, "A is named “安全文明生产” in row 3"),
        Problem(5, "the sub-criterion's name is given without its code"),
    ]
    rows[3][3] = ""
    assert Problem(5, "the sub-criterion code is missing") in refused(xlsx_file(rows))


def test_a_name_without_its_code_on_the_first_row():
    """A criterion name with no code cannot start a criterion."""
    rows = good_rows()
    rows[0][0] = ""
    assert Problem(2, "the criterion's name is given without its code") in refused(xlsx_file(rows))


def test_messages_work_inside_an_app_with_babel():
    """Reading needs no app, and works in a request with Flask-Babel too."""
    app = Flask(__name__)
    Babel(app)
    with app.test_request_context():
        problems = refused(xlsx_file(good_rows(30)))
    assert problems == [Problem(0, "the marks add up to 90, not 100")]
