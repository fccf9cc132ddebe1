"""Spreadsheet import and export of question banks: formats, answers, round trips, bad input."""

import csv
import io
import random
import struct
import zipfile

import openpyxl
import pytest
from flask import Flask, has_app_context
from flask_babel import Babel

from competitions.questions.interchange import tabular_read
from competitions.questions.interchange.tabular import (
    MAX_BYTES,
    export_csv,
    export_rows,
    export_xlsx,
    parse_spreadsheet,
    template_xlsx,
)
from competitions.questions.types import FALSE, TRUE, Problem, QuestionData, QuestionType

SINGLE, MULTIPLE = QuestionType.SINGLE, QuestionType.MULTIPLE
TRUE_FALSE, FILL_BLANK = QuestionType.TRUE_FALSE, QuestionType.FILL_BLANK
HEADER = [
    "题型",
    "题干",
    "选项A",
    "选项B",
    "选项C",
    "选项D",
    "答案",
    "解析",
    "难度",
    "章节",
    "等级",
    "标签",
]
NOT_XLSX = "not an .xlsx file (old .xls and password-protected workbooks cannot be read)"
BOMB = "the .xlsx file unpacks to too much data: it is damaged or malicious"


def csv_file(rows: list[list], header: list[str] = HEADER, encoding: str = "utf-8") -> bytes:
    """A CSV of the header and rows in the given encoding."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([header, *rows])
    return buffer.getvalue().encode(encoding)


def xlsx_file(rows: list[list], header: list[str] = HEADER) -> bytes:
    """An .xlsx written by openpyxl (which stores text starting with "=" as a formula)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in [header, *rows]:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def row(type_="单选", stem="安全电压是多少？", a="36V", b="24V", c="", d="", answer="A", **more):
    """One row of HEADER's columns; explanation, difficulty, chapter, levels, tags by name."""
    extra = [
        more.get(key, "") for key in ("explanation", "difficulty", "chapter", "levels", "tags")
    ]
    return [type_, stem, a, b, c, d, answer, *extra]


def only_question(content: bytes, filename: str = "bank.csv") -> QuestionData:
    """The single question of a file that must parse cleanly."""
    report = parse_spreadsheet(content, filename)
    assert report.errors == [] and report.warnings == []
    assert [parsed.where for parsed in report.rows] == [2]
    return report.rows[0].data


def errors_of(content: bytes, filename: str = "bank.csv") -> list[Problem]:
    """The errors of a file that must be refused with no questions."""
    report = parse_spreadsheet(content, filename)
    assert not report.ok and report.rows == []
    return report.errors


SAMPLES = [
    QuestionData(
        type=SINGLE,
        stem="在金属容器内使用手持照明灯，其电压不得超过（ ）V。",
        options=["36", "24", "12", "6"],
        answer=["C"],
        explanation="特别潮湿场所用 12V。",
        difficulty=2,
        chapter="安全用电",
        levels=["L5", "L4"],
        tags=["安全电压", "照明"],
    ),
    QuestionData(
        type=MULTIPLE,
        stem='停电检修的技术措施有（ ）,含"引号"与 <b>HTML</b>\n第二行',
        options=[f"选项{n}" for n in range(1, 9)],
        answer=["A", "B", "D", "H"],
        explanation="工作票属于组织措施",
        difficulty=5,
        chapter="安全规程",
        levels=["L3", "L2", "L1"],
        tags=["停电"],
    ),
    QuestionData(type=TRUE_FALSE, stem="可以带电测量电阻。", answer=[FALSE], difficulty=1),
    QuestionData(type=TRUE_FALSE, stem="-5℃ 以下应注意电缆脆裂。", answer=[TRUE], chapter="电缆"),
    QuestionData(
        type=FILL_BLANK, stem="我国电网频率为（ ）Hz。", answer=["50", "五十"], tags=["交流电"]
    ),
    QuestionData(type=FILL_BLANK, stem="+ 号表示正极，写作（ ）。", answer=["+", "@正极", "-"]),
]


# ---- types and answer forms -------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_cell", "answer_cell", "kind", "answer"),
    [
        ("单选", "A", SINGLE, ["A"]),
        ("单选题", "b", SINGLE, ["B"]),
        ("single", " C ", SINGLE, ["C"]),
        ("多选", "ABD", MULTIPLE, ["A", "B", "D"]),
        ("多选题", "A,B,D", MULTIPLE, ["A", "B", "D"]),
        ("multiple", "A、B、D", MULTIPLE, ["A", "B", "D"]),
        ("多选", "A|B", MULTIPLE, ["A", "B"]),
        ("多选", "d，b；a", MULTIPLE, ["A", "B", "D"]),
        ("多选", "Ａ Ｃ", MULTIPLE, ["A", "C"]),
    ],
)
def test_choice_types_and_answer_forms(type_cell, answer_cell, kind, answer):
    """Every choice type word and answer spelling gives the same letters, sorted."""
    content = csv_file([row(type_cell, a="甲", b="乙", c="丙", d="丁", answer=answer_cell)])
    question = only_question(content)
    assert question.type == kind
    assert question.answer == answer
    assert question.options == ["甲", "乙", "丙", "丁"]


@pytest.mark.parametrize("type_cell", ["判断", "判断题", "true_false", "TrueFalse"])
@pytest.mark.parametrize(
    ("answer_cell", "answer"),
    [
        ("正确", TRUE), ("错误", FALSE), ("对", TRUE), ("错", FALSE), ("√", TRUE), ("×", FALSE),
        ("✓", TRUE), ("✗", FALSE), ("T", TRUE), ("f", FALSE), ("true", TRUE), ("FALSE", FALSE),
        ("是", TRUE), ("否", FALSE),
    ],
)  # fmt: skip
def test_true_false_types_and_answer_words(type_cell, answer_cell, answer):
    """Each true/false word maps to true or false; the question has no options."""
    question = only_question(csv_file([row(type_cell, a="", b="", answer=answer_cell)]))
    assert (question.type, question.answer, question.options) == (TRUE_FALSE, [answer], [])


@pytest.mark.parametrize("type_cell", ["填空", "填空题", "fill_blank", "fill"])
@pytest.mark.parametrize(
    ("answer_cell", "answer"),
    [("50", ["50"]), ("50|五十", ["50", "五十"]), ("50｜五十| 50Hz ", ["50", "五十", "50Hz"])],
)
def test_fill_blank_types_and_alternatives(type_cell, answer_cell, answer):
    """Fill-in-the-blank alternatives are split on | and ｜."""
    question = only_question(csv_file([row(type_cell, a="", b="", answer=answer_cell)]))
    assert (question.type, question.answer, question.options) == (FILL_BLANK, answer, [])


def test_every_column_is_read():
    """Explanation, difficulty, chapter, levels and tags land in their fields."""
    cells = row(
        "多选", "  导线连接的要求有（ ）。 ", "接触紧密", "强度足够", "绝缘良好", "", "ABC",
        explanation="三者缺一不可", difficulty="4", chapter="导线连接", levels="L5 L4",
        tags="接线，工艺、安全;规范 基础",
    )  # fmt: skip
    question = only_question(csv_file([cells]))
    assert question == QuestionData(
        type=MULTIPLE,
        stem="导线连接的要求有（ ）。",
        options=["接触紧密", "强度足够", "绝缘良好"],
        answer=["A", "B", "C"],
        explanation="三者缺一不可",
        difficulty=4,
        chapter="导线连接",
        levels=["L5", "L4"],
        tags=["接线", "工艺", "安全", "规范", "基础"],
    )


@pytest.mark.parametrize(
    ("cell", "difficulty"),
    [("", 3), ("1", 1), ("5", 5), ("易", 2), ("中", 3), ("难", 4), ("3.0", 3), ("Hard", 4)],
)
def test_difficulty_forms(cell, difficulty):
    """Numbers 1–5, blank (3) and 易/中/难 are accepted."""
    assert only_question(csv_file([row(difficulty=cell)])).difficulty == difficulty


@pytest.mark.parametrize(
    ("cell", "levels"),
    [
        ("L5 L4", ["L5", "L4"]),
        ("l3,L2", ["L3", "L2"]),
        ("五级 四级", ["L5", "L4"]),
        ("初级工", ["L5"]),
        ("中级工，高级工、技师;高级技师；一级", ["L4", "L3", "L2", "L1"]),
        ("初级 中级 高级 二级 三级", ["L5", "L4", "L3", "L2"]),
        ("L5 五级", ["L5"]),
    ],
)
def test_level_forms(cell, levels):
    """Levels written the trades' ways become L5…L1 codes, without repeats."""
    assert only_question(csv_file([row(levels=cell)])).levels == levels


def test_english_headers_and_chinese_aliases():
    """English headers in any case and spacing, and 题目/知识点/级别, are understood."""
    english = ["Type", "STEM", "Option_A", "option b", "OptionC", " Answer ", "Explanation"]
    english += ["Difficulty", "Chapter", "Levels", "Tags"]
    content = csv_file(
        [["single", "Q?", "x", "y", "z", "c", "why", "2", "ch", "L4", "t1"]], english
    )
    question = only_question(content)
    assert question == QuestionData(
        SINGLE, "Q?", ["x", "y", "z"], ["C"], "why", 2, "ch", ["L4"], ["t1"]
    )
    aliases = ["类型", "题目", "A", "B", "正确答案", "知识点", "级别", "标签"]
    content = csv_file([["判断", "题？", "", "", "对", "安全", "三级", "甲"]], aliases)
    assert only_question(content) == QuestionData(
        TRUE_FALSE, "题？", answer=[TRUE], chapter="安全", levels=["L3"], tags=["甲"]
    )


# ---- encodings and formats --------------------------------------------------------------

EXPECTED = QuestionData(SINGLE, "电工作业须持证上岗吗？", ["是", "否"], ["A"], chapter="电工安全")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings(encoding):
    """UTF-8 with and without BOM, and GBK as Chinese Excel writes it, all read the same."""
    cells = row(stem=EXPECTED.stem, a="是", b="否", chapter="电工安全")
    content = csv_file([cells], encoding=encoding)
    assert only_question(content) == EXPECTED


def test_csv_in_neither_utf8_nor_gbk_is_refused():
    """UTF-16 (Excel's "Unicode text") is refused with advice."""
    content = csv_file([row()], encoding="utf-16")
    message = "the file is neither UTF-8 nor GBK text: save it as “CSV UTF-8”"
    assert errors_of(content) == [Problem(0, message)]


def test_xlsx_reads_the_first_sheet_with_typed_cells():
    """Numbers and booleans in .xlsx cells read as text; other sheets are ignored."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append(["判断", "接地线可以缠绕连接。", None, None, None, None, False, None, 4])
    sheet.append([None] * 3)  # a blank row is skipped, and numbering goes on
    sheet.append(["单选", "数字选项", 36, 24.5, None, None, "b", None, None, None, "L5"])
    other = workbook.create_sheet("草稿")
    other.append(["乱写", "=SUM(1,2)"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = parse_spreadsheet(buffer.getvalue(), "题库.XLSX")
    assert report.errors == [] and report.warnings == []
    assert [(parsed.where, parsed.data) for parsed in report.rows] == [
        (2, QuestionData(TRUE_FALSE, "接地线可以缠绕连接。", answer=[FALSE], difficulty=4)),
        (4, QuestionData(SINGLE, "数字选项", ["36", "24.5"], ["B"], levels=["L5"])),
    ]


def test_blank_rows_are_skipped_and_rows_keep_their_numbers():
    """Blank lines in a CSV do not shift the row numbers of errors."""
    lines = "\r\n".join(
        [",".join(HEADER), "", "单选,问题一,a,b,,,A,,,,,", ",,,,", "单选,问题二,a,b,,,C"]
    )
    report = parse_spreadsheet(lines.encode(), "bank.csv")
    assert [parsed.where for parsed in report.rows] == [3]
    assert report.errors == [Problem(5, "the answer must be among the options AB")]


# ---- round trips ------------------------------------------------------------------------


def test_xlsx_round_trip():
    """export_xlsx parses back to the same questions, rows numbered from 2."""
    report = parse_spreadsheet(export_xlsx(SAMPLES), "export.xlsx")
    assert report.errors == [] and report.warnings == []
    assert [parsed.data for parsed in report.rows] == SAMPLES
    assert [parsed.where for parsed in report.rows] == list(range(2, 2 + len(SAMPLES)))


def test_csv_round_trip():
    """export_csv parses back to the same questions, including text starting with + - @."""
    report = parse_spreadsheet(export_csv(SAMPLES), "export.csv")
    assert report.errors == [] and report.warnings == []
    assert [parsed.data for parsed in report.rows] == SAMPLES


def test_export_rows_have_the_template_columns():
    """Rows are keyed by the Chinese headers with Chinese type names and answer forms."""
    rows = export_rows(SAMPLES[:3])
    assert list(rows[0]) == [*HEADER[:6], "选项E", "选项F", "选项G", "选项H", *HEADER[6:]]
    assert rows[0] == {
        "题型": "单选", "题干": SAMPLES[0].stem, "选项A": "36", "选项B": "24", "选项C": "12",
        "选项D": "6", "选项E": "", "选项F": "", "选项G": "", "选项H": "", "答案": "C",
        "解析": "特别潮湿场所用 12V。", "难度": 2, "章节": "安全用电", "等级": "L5 L4",
        "标签": "安全电压,照明",
    }  # fmt: skip
    assert (rows[1]["题型"], rows[1]["答案"], rows[1]["选项H"]) == ("多选", "ABDH", "选项8")
    assert (rows[2]["题型"], rows[2]["答案"]) == ("判断", "错误")
    fill = export_rows(SAMPLES[4:5])[0]
    assert (fill["题型"], fill["答案"]) == ("填空", "50|五十")


def test_export_csv_is_utf8_with_bom_and_neutralises_formulas():
    """The CSV starts with a BOM and the Chinese header; text Excel would run gets a '."""
    question = QuestionData(FILL_BLANK, "+1+1 等于（ ）", answer=["2"], tags=["@x"])
    content = export_csv([question])
    assert content.startswith(b"\xef\xbb\xbf")
    lines = content.decode("utf-8-sig").split("\r\n")
    assert (
        lines[0]
        == "题型,题干,选项A,选项B,选项C,选项D,选项E,选项F,选项G,选项H,答案,解析,难度,章节,等级,标签"
    )
    assert lines[1] == "填空,'+1+1 等于（ ）,,,,,,,,,2,,3,,,'@x"
    assert [parsed.data for parsed in parse_spreadsheet(content, "x.csv").rows] == [question]


def test_export_xlsx_writes_text_never_formulas():
    """A stem starting with "=" is stored as a string cell on the one sheet 题目."""
    question = QuestionData(SINGLE, '=HYPERLINK("http://evil")', ["=1+1", "b"], ["A"])
    workbook = openpyxl.load_workbook(io.BytesIO(export_xlsx([question])))
    assert workbook.sheetnames == ["题目"]
    stem, option = workbook["题目"]["B2"], workbook["题目"]["C2"]
    assert (stem.data_type, stem.value) == ("s", '=HYPERLINK("http://evil")')
    assert (option.data_type, option.value) == ("s", "=1+1")
    assert workbook["题目"]["M2"].value == 3


def test_template_examples_parse_and_sheets_explain():
    """The template's four examples are valid, one per type; it explains and lists values."""
    content = template_xlsx()
    report = parse_spreadsheet(content, "template.xlsx")
    assert report.errors == [] and report.warnings == []
    assert [parsed.data.type for parsed in report.rows] == [
        SINGLE,
        MULTIPLE,
        TRUE_FALSE,
        FILL_BLANK,
    ]
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["题目", "说明", "允许值"]
    assert [cell.value for cell in workbook["题目"][1]] == list(export_rows(SAMPLES)[0])
    validations = {
        str(v.sqref): v.formula1 for v in workbook["题目"].data_validations.dataValidation
    }
    assert validations == {"A2:A200001": '"单选,多选,判断,填空"', "M2:M200001": '"1,2,3,4,5"'}
    notes = " ".join(str(cell) for line in workbook["说明"].values for cell in line if cell)
    assert "20 MB" in notes and "200,000" in notes and "对/错" in notes and "50|五十" in notes
    allowed = next(workbook["允许值"].values)
    assert allowed == ("题型", "判断题答案（正确）", "判断题答案（错误）", "难度", "等级")


# ---- bad input --------------------------------------------------------------------------


@pytest.mark.parametrize("filename", ["empty.csv", "empty.xlsx"])
def test_empty_file(filename):
    """An empty file is refused as such."""
    assert errors_of(b"", filename) == [Problem(0, "the file is empty")]


def test_header_only_file_has_no_questions():
    """A header without data rows imports nothing."""
    assert errors_of(csv_file([[""] * 12])) == [Problem(0, "the file has no questions")]


def test_wrong_headers():
    """Missing required columns are named at row 1."""
    content = csv_file([["单选", "q", "A"]], ["类型", "问题", "答"])
    message = "missing required columns (titles go in row 1): 题干 (stem), 答案 (answer)"
    assert errors_of(content) == [Problem(1, message)]


def test_unknown_columns_warn_and_repeated_columns_fail():
    """Extra columns are a warning; the same column twice is an error."""
    report = parse_spreadsheet(csv_file([[*row(), "x"]], [*HEADER, "备注"]), "b.csv")
    assert report.ok and report.warnings == [Problem(1, "unknown columns are ignored: 备注")]
    content = csv_file([["单选", "q", "q", "A"]], ["题型", "题干", "stem", "答案"])
    assert errors_of(content) == [Problem(1, "columns given twice: stem")]


@pytest.mark.parametrize(
    ("cells", "messages"),
    [
        (row(answer="C"), ["the answer must be among the options AB"]),
        (row(c="12V", answer="AC"), ["a single choice has exactly one answer"]),
        (row("多选", answer="A"), ["a multiple choice has at least two answers"]),
        (row("多选", answer="AA"), ["the answer repeats an option"]),
        (row("判断", answer="对"), ["a true/false question has no options"]),
        (row("判断", a="", b="", answer="也许"), ["a true/false answer is true or false"]),
        (row("填空", a="", b="", answer=" | "), ["a fill-in-the-blank question needs an answer"]),
        (row("填空", answer="50"), ["a fill-in-the-blank question has no options"]),
        (row(a="", b="", answer="A"), ["a choice question needs 2 to 8 options"]),
        (row(b="", c="12V", answer="A"), ["an option is empty or too long"]),
        (row(stem="", answer="A"), ["the stem is empty"]),
        (row(difficulty="6"), ["the difficulty must be 1 to 5"]),
        (row(difficulty="很难"), ["the difficulty must be 1 to 5"]),
        (row(levels="L6"), ["the levels must be among L5 L4 L3 L2 L1"]),
        (row("问答", answer="A"), ["unknown question type “问答”: use 单选, 多选, 判断 or 填空"]),
        (row("", answer="A"), ["the question type is empty"]),
    ],
)
def test_bad_rows_give_specific_errors(cells, messages):
    """Each broken rule is reported at its row with the rules' own message."""
    for content, name in ((csv_file([cells]), "b.csv"), (xlsx_file([cells]), "b.xlsx")):
        assert errors_of(content, name) == [Problem(2, message) for message in messages]


def test_a_bad_row_among_good_ones():
    """One bad row makes the report not ok, while the good rows are still parsed."""
    rows = [
        row(stem="一"),
        row(stem="二", c="12V", answer="AB"),
        row("判断", "三", "", "", answer="×"),
    ]
    report = parse_spreadsheet(csv_file(rows), "b.csv")
    assert not report.ok
    assert report.errors == [Problem(3, "a single choice has exactly one answer")]
    assert [(parsed.where, parsed.data.stem) for parsed in report.rows] == [(2, "一"), (4, "三")]


def test_duplicate_stems_warn():
    """The same stem twice (spacing and full-width aside) is a warning, not an error."""
    rows = [row(stem="安全电压 是多少?"), row(stem="其他"), row(stem="安全电压  是多少？")]
    report = parse_spreadsheet(csv_file(rows), "b.csv")
    assert report.ok and len(report.rows) == 3
    assert report.warnings == [Problem(4, "the same stem as row 2")]


@pytest.mark.parametrize("filename", ["big.csv", "big.xlsx"])
def test_file_over_the_size_limit(filename):
    """One byte over 20 MB is refused before any parsing."""
    message = "the file is too large (more than 20 MB)"
    assert errors_of(bytes(MAX_BYTES + 1), filename) == [Problem(0, message)]


def test_too_many_rows(monkeypatch):
    """More rows than MAX_ROWS are refused as a whole."""
    monkeypatch.setattr(tabular_read, "MAX_ROWS", 2)
    message = "more than 2 rows: split the file"
    rows = [row(stem=f"第{n}题") for n in range(3)]
    assert errors_of(csv_file(rows)) == [Problem(0, message)]
    assert errors_of(xlsx_file(rows), "b.xlsx") == [Problem(0, message)]
    assert parse_spreadsheet(csv_file(rows[:2]), "b.csv").ok


@pytest.mark.parametrize("filename", ["bank.xls", "bank.txt", "bank"])
def test_unsupported_extension(filename):
    """Only .csv and .xlsx are read."""
    message = "unsupported file type: upload an .xlsx or a .csv file"
    assert errors_of(csv_file([row()]), filename) == [Problem(0, message)]


@pytest.mark.parametrize(
    "content",
    [
        random.Random(3).randbytes(5000),
        "题型,题干,答案\n单选,q,A\n".encode(),
        b"PK\x03\x04 truncated zip",
    ],
    ids=["random", "renamed-csv", "broken-zip"],
)
def test_not_an_xlsx(content):
    """Random bytes, a renamed text file or a broken zip are not .xlsx files."""
    assert errors_of(content, "bank.xlsx") == [Problem(0, NOT_XLSX)]


def test_a_zip_that_is_not_a_workbook():
    """A real zip without xl/workbook.xml (e.g. a .docx) is not an .xlsx file."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    assert errors_of(buffer.getvalue(), "bank.xlsx") == [Problem(0, NOT_XLSX)]


def bomb(size_mb: int, name: str = "xl/worksheets/sheet1.xml") -> bytes:
    """A workbook-looking zip with one entry of size_mb MiB of zeros, streamed in."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open(name, "w", force_zip64=True) as entry:
            zeros = bytes(1024 * 1024)
            for _ in range(size_mb):
                entry.write(zeros)
    return buffer.getvalue()


def test_zip_bomb():
    """300 MB of zeros packed into a few hundred KB is refused before parsing."""
    content = bomb(300)
    assert len(content) < 1024 * 1024
    assert errors_of(content, "bank.xlsx") == [Problem(0, BOMB)]


def test_zip_bomb_by_ratio():
    """A single entry packed more than 100 to 1 is refused even under the total limit."""
    assert errors_of(bomb(20), "bank.xlsx") == [Problem(0, BOMB)]


def test_zip_bomb_with_lying_sizes():
    """An entry that declares a small size but unpacks to more is caught while unpacking."""
    content = bytearray(export_xlsx(SAMPLES))
    with zipfile.ZipFile(io.BytesIO(bytes(content))) as archive:
        sheet = archive.getinfo("xl/worksheets/sheet1.xml")
    name = sheet.filename.encode()
    central = content.find(name, content.find(b"PK\x01\x02")) - 46  # the name follows 46 bytes
    assert content[central : central + 4] == b"PK\x01\x02"
    struct.pack_into("<L", content, central + 24, 10)  # declared uncompressed size: 10 bytes
    struct.pack_into("<L", content, sheet.header_offset + 22, 10)
    assert errors_of(bytes(content), "bank.xlsx") == [Problem(0, BOMB)]


def test_zip_with_too_many_entries():
    """More than 10,000 entries are refused."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        for number in range(10_000):
            archive.writestr(f"x/{number}", "")
    assert errors_of(buffer.getvalue(), "bank.xlsx") == [Problem(0, BOMB)]


def test_formulas_in_csv():
    """Text starting with "=" is refused at its row; the other rows still parse."""
    rows = [row(stem="=1+1"), row(), row(a='=HYPERLINK("http://evil","点")', b="=2")]
    report = parse_spreadsheet(csv_file(rows), "b.csv")
    assert report.errors == [
        Problem(2, "formulas are not allowed (题干)"),
        Problem(4, "formulas are not allowed (选项A, 选项B)"),
    ]
    assert [parsed.where for parsed in report.rows] == [3]


def test_formulas_in_xlsx():
    """Real formula cells (no cached value) and text starting with "=" are both refused."""
    rows = [row(stem="=1+1"), row(), row(a='=HYPERLINK("http://evil","点")'), row()]
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx_file(rows)))
    sheet = workbook.active
    sheet["B5"].value = "=2+2"
    sheet["B5"].data_type = "s"  # stored as text, not as a formula
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert sheet["B2"].data_type == "f"
    report = parse_spreadsheet(buffer.getvalue(), "b.xlsx")
    assert report.errors == [
        Problem(2, "formulas are not allowed (题干)"),
        Problem(4, "formulas are not allowed (选项A)"),
        Problem(5, "formulas are not allowed (题干)"),
    ]
    assert [parsed.where for parsed in report.rows] == [3]


def test_csv_with_extra_cells_or_an_open_quote():
    """Malformed CSV is refused with the row where it goes wrong."""
    content = csv_file([row(), [*row(), "多余"]])
    assert errors_of(content) == [Problem(3, "this row has more cells than the header row")]
    content = csv_file([row()]) + '单选,"未闭合,a,b,,,A\r\n'.encode()
    assert errors_of(content) == [Problem(3, "a quoted cell is never closed")]


def test_messages_work_with_and_without_an_app():
    """Parsing needs no app context, and works inside one with Flask-Babel too."""
    assert not has_app_context()
    assert errors_of(b"", "e.csv") == [Problem(0, "the file is empty")]
    app = Flask(__name__)
    Babel(app)
    with app.test_request_context():
        report = parse_spreadsheet(csv_file([row(answer="Z")]), "b.csv")
    assert report.errors == [Problem(2, "the answer must be among the options AB")]


@pytest.mark.parametrize("column", ["stem", "a", "explanation", "chapter", "tags"])
def test_a_nul_character_in_any_cell_refuses_the_row(column):
    """PostgreSQL cannot store a NUL: the preview refuses the row, so confirming stores nothing."""
    cells = {"stem": "安全电压是多少？", "a": "36V"} | {column: "36\x00V"}
    (problem,) = errors_of(csv_file([row(**cells)]))
    assert problem.where == 2 and "NUL" in problem.message
