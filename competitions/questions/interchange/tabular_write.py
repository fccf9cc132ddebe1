"""Writing question banks as .csv and .xlsx, and the downloadable import template."""

import csv
import io

import xlsxwriter

from competitions.questions.interchange.tabular_read import (
    COLUMNS,
    FALSE_WORD,
    MAX_BYTES,
    MAX_ROWS,
    MIB,
    TRUE_WORD,
    TYPE_NAMES,
)
from competitions.questions.rules import MAX_CHAPTER, MAX_EXPLANATION, MAX_STEM, MAX_TAG
from competitions.questions.types import OPTION_LETTERS, TRUE, QuestionData, QuestionType

SHEET = "题目"
HEADERS = list(COLUMNS.values())
WIDTHS = {"题干": 50, "解析": 40, "章节": 16, "等级": 12, "标签": 16}
FORMULA_STARTS = ("=", "+", "-", "@")  # what spreadsheet programs read as a formula in CSV

EXAMPLES = [
    QuestionData(
        type=QuestionType.SINGLE,
        stem="在金属容器内或特别潮湿的场所使用手持照明灯，其电压不得超过（ ）V。",
        options=["36", "24", "12", "6"],
        answer=["C"],
        explanation="特别潮湿场所和金属容器内应使用 12V 安全电压。",
        difficulty=2,
        chapter="安全用电",
        levels=["L5", "L4"],
        tags=["安全电压", "照明"],
    ),
    QuestionData(
        type=QuestionType.MULTIPLE,
        stem="在全部停电或部分停电的电气设备上工作，必须完成的技术措施有（ ）。",
        options=["停电", "验电", "装设接地线", "悬挂标示牌和装设遮栏", "办理工作票"],
        answer=["A", "B", "C", "D"],
        explanation="办理工作票属于组织措施，不是技术措施。",
        difficulty=3,
        chapter="电气安全工作规程",
        levels=["L5", "L4", "L3"],
        tags=["停电检修"],
    ),
    QuestionData(
        type=QuestionType.TRUE_FALSE,
        stem="用万用表测量电阻时，可以在被测电路带电的情况下测量。",
        answer=["false"],
        explanation="测量电阻前必须断开被测电路的电源，否则会损坏仪表。",
        difficulty=1,
        chapter="电工仪表",
        levels=["L5"],
        tags=["万用表"],
    ),
    QuestionData(
        type=QuestionType.FILL_BLANK,
        stem="我国交流电网的额定频率为（ ）Hz。",
        answer=["50", "五十"],
        explanation="我国电网工频为 50Hz。",
        difficulty=1,
        chapter="电工基础",
        levels=["L5"],
        tags=["交流电"],
    ),
]


ALLOWED = {
    "题型": list(TYPE_NAMES.values()),
    "判断题答案（正确）": ["正确", "对", "√", "T", "true", "是"],
    "判断题答案（错误）": ["错误", "错", "×", "F", "false", "否"],
    "难度": ["1", "2", "3", "4", "5", "易（=2）", "中（=3）", "难（=4）"],
    "等级": [
        "L5 五级 初级工",
        "L4 四级 中级工",
        "L3 三级 高级工",
        "L2 二级 技师",
        "L1 一级 高级技师",
    ],
}


def export_rows(questions: list[QuestionData]) -> list[dict[str, str | int]]:
    """Each question as a row keyed by the Chinese column headers."""
    return [_row(question) for question in questions]


def _row(question: QuestionData) -> dict[str, str | int]:
    """One question's cells, in the order of HEADERS."""
    options = question.options + [""] * (len(OPTION_LETTERS) - len(question.options))
    row: dict[str, str | int] = {"题型": TYPE_NAMES[question.type], "题干": question.stem}
    row |= {f"选项{letter}": option for letter, option in zip(OPTION_LETTERS, options, strict=True)}
    row |= {"答案": _answer_text(question), "解析": question.explanation}
    row |= {"难度": question.difficulty, "章节": question.chapter}
    row |= {"等级": " ".join(question.levels), "标签": ",".join(question.tags)}
    return row


def _answer_text(question: QuestionData) -> str:
    """The 答案 cell: letters, 正确/错误, or alternatives joined with |."""
    if question.type == QuestionType.TRUE_FALSE:
        return TRUE_WORD if question.answer == [TRUE] else FALSE_WORD
    if question.type == QuestionType.FILL_BLANK:
        return "|".join(question.answer)
    return "".join(question.answer)


def export_csv(questions: list[QuestionData]) -> bytes:
    """A CSV in UTF-8 with BOM (so Excel reads the Chinese), formula-like text neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADERS)
    for row in export_rows(questions):
        writer.writerow(_csv_safe(value) for value in row.values())
    return buffer.getvalue().encode("utf-8-sig")


def _csv_safe(value: str | int) -> str:
    """Text Excel would run as a formula gets a leading apostrophe (the import removes it)."""
    text = str(value)
    return f"'{text}" if isinstance(value, str) and text.startswith(FORMULA_STARTS) else text


def export_xlsx(questions: list[QuestionData]) -> bytes:
    """An .xlsx with one sheet 题目; every text cell is a string, never a formula."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"constant_memory": True})
    _write_rows(_question_sheet(workbook), questions)
    workbook.close()
    return buffer.getvalue()


def _write_rows(sheet: "xlsxwriter.worksheet.Worksheet", questions: list[QuestionData]) -> None:
    """One row per question under the header: numbers as numbers, text always as text."""
    for number, row in enumerate(export_rows(questions), start=1):
        for column, value in enumerate(row.values()):
            if isinstance(value, int):
                sheet.write_number(number, column, value)
            elif value:
                sheet.write_string(number, column, value)


def _question_sheet(workbook: xlsxwriter.Workbook) -> "xlsxwriter.worksheet.Worksheet":
    """The 题目 sheet with its bold header row, widths and frozen header."""
    sheet = workbook.add_worksheet(SHEET)
    bold = workbook.add_format({"bold": True, "bg_color": "#DDEBF7"})
    for column, header in enumerate(HEADERS):
        sheet.set_column(column, column, WIDTHS.get(header, 10))
        sheet.write_string(0, column, header, bold)
    sheet.freeze_panes(1, 0)
    return sheet


def template_xlsx() -> bytes:
    """The import template: 题目 with four examples and drop-downs, 说明, and 允许值."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = _question_sheet(workbook)
    _write_rows(sheet, EXAMPLES)
    _add_drop_downs(sheet)
    _add_table(workbook, "说明", ["列名", "是否必填", "填写说明"], _instructions())
    _add_table(workbook, "允许值", list(ALLOWED), _allowed_rows())
    workbook.close()
    return buffer.getvalue()


def _add_drop_downs(sheet: "xlsxwriter.worksheet.Worksheet") -> None:
    """Drop-down lists on 题型 and 难度 (a warning, not a block, so 单选题 or 易 still fit)."""
    lists = {"题型": list(TYPE_NAMES.values()), "难度": ["1", "2", "3", "4", "5"]}
    for header, values in lists.items():
        column = HEADERS.index(header)
        sheet.data_validation(
            1,
            column,
            MAX_ROWS,
            column,
            {
                "validate": "list",
                "source": values,
                "error_type": "warning",
                "error_title": header,
                "error_message": "请从下拉列表中选择，详见“说明”工作表。",
            },
        )


def _add_table(workbook: xlsxwriter.Workbook, name: str, header: list, rows: list) -> None:
    """A plain sheet: a bold header row, then text rows."""
    sheet = workbook.add_worksheet(name)
    bold = workbook.add_format({"bold": True, "bg_color": "#DDEBF7"})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    for column, title in enumerate(header):
        sheet.set_column(column, column, 60 if column == len(header) - 1 else 16, wrap)
        sheet.write_string(0, column, title, bold)
    for number, row in enumerate(rows, start=1):
        for column, text in enumerate(row):
            if text:
                sheet.write_string(number, column, text)


def _instructions() -> list[list[str]]:
    """The 说明 sheet: each column, whether it is required, and how to fill it."""
    return [
        [
            "题型",
            "必填",
            "单选、多选、判断、填空（也可写 单选题 等，"
            "或 single、multiple、true_false、fill_blank）",
        ],
        ["题干", "必填", f"题目正文，不超过 {MAX_STEM} 字；用（ ）表示作答位置"],
        [
            "选项A～选项H",
            "单选、多选必填",
            "2 到 8 个选项，从选项A起连续填写；判断题和填空题不填选项",
        ],
        [
            "答案",
            "必填",
            "单选：一个字母，如 A；多选：两个及以上字母，如 ABD、A,B,D、A、B、D 或 A|B；"
            "判断：正确/错误（也可写 对/错、√/×、T/F、是/否）；"
            "填空：多个可接受的答案用 | 分隔，如 50|五十",
        ],
        ["解析", "选填", f"答案解析，不超过 {MAX_EXPLANATION} 字"],
        ["难度", "选填", "1（最易）到 5（最难），也可写 易/中/难；不填按 3 处理"],
        ["章节", "选填", f"章节或知识点，不超过 {MAX_CHAPTER} 字"],
        [
            "等级",
            "选填",
            "适用的技能等级，如 L5 L4、五级 四级、初级工 中级工；多个用空格、逗号或顿号分隔",
        ],
        ["标签", "选填", f"多个标签用逗号、顿号、分号或空格分隔，每个不超过 {MAX_TAG} 字"],
        ["", "", ""],
        [
            "注意事项",
            "",
            "第一行是列标题，请勿修改；也可用英文列名 type、stem、option_a…option_h、"
            "answer、explanation、difficulty、chapter、levels、tags",
        ],
        ["", "", "只读取第一个工作表（本模板的“题目”表），空行会被跳过；请删除示例题后再填写"],
        ["", "", "单元格中不能使用公式，内容也不能以“=”开头"],
        [
            "",
            "",
            f"文件不超过 {MAX_BYTES // MIB} MB，最多 {MAX_ROWS:,} 道题；"
            "支持 .xlsx 和 .csv（UTF-8 或 GBK 编码）",
        ],
        ["", "", "导入前先预览：文件中有任何错误时不会导入任何题目；题干重复的题目会给出提示"],
    ]


def _allowed_rows() -> list[list[str]]:
    """The 允许值 sheet's columns laid side by side."""
    height = max(len(values) for values in ALLOWED.values())
    return [
        [values[i] if i < len(values) else "" for values in ALLOWED.values()] for i in range(height)
    ]
