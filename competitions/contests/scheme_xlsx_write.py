"""Marking schemes written as .xlsx in the house template that scheme_xlsx reads back."""

import io

import xlsxwriter

from competitions.contests.scheme import (
    EXAMPLE,
    MAX_ASPECTS,
    MAX_DESCRIPTION,
    MAX_NAME,
    MAX_TEXT,
    Aspect,
    Scheme,
    format_mark,
)
from competitions.contests.scheme_xlsx import (
    COLUMNS,
    DESCRIPTOR_KEYS,
    INSTRUCTIONS,
    KIND_NAMES,
    MAX_BYTES,
    SHEET,
)
from competitions.questions.interchange.tabular_read import MIB

WIDTHS = {"criterion": 18, "sub_criterion": 18, "aspect": 36, "requirement": 30}
WIDTHS |= {key: 24 for key in DESCRIPTOR_KEYS}


def write_scheme(scheme: Scheme) -> bytes:
    """An .xlsx of the scheme: 评分标准 (groups merged), then 说明 with the sums."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    _scheme_sheet(workbook, scheme)
    _instructions_sheet(workbook, scheme)
    workbook.close()
    return buffer.getvalue()


def template() -> bytes:
    """The downloadable template: an example scheme that is valid and sums to 100."""
    return write_scheme(EXAMPLE)


def _scheme_sheet(workbook: xlsxwriter.Workbook, scheme: Scheme) -> None:
    """The 评分标准 sheet: header, one row per aspect, drop-downs on 类型 and 分值."""
    sheet = workbook.add_worksheet(SHEET)
    bold = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    cell = workbook.add_format({"text_wrap": True, "valign": "top", "border": 1})
    keys = list(COLUMNS)
    for column, key in enumerate(keys):
        sheet.set_column(column, column, WIDTHS.get(key, 11))
        sheet.write_string(0, column, COLUMNS[key], bold)
    sheet.freeze_panes(1, 0)
    row = 1
    for criterion in scheme.criteria:
        size = sum(len(sub.aspects) for sub in criterion.sub_criteria)
        _merged(sheet, row, size, 0, (criterion.code, criterion.name), cell)
        for sub in criterion.sub_criteria:
            _merged(sheet, row, len(sub.aspects), 2, (sub.code, sub.name), cell)
            for aspect in sub.aspects:
                _aspect_row(sheet, row, aspect, cell)
                row += 1
    _drop_downs(sheet, keys)


def _merged(sheet, row: int, size: int, column: int, texts: tuple[str, str], style) -> None:
    """A group's code and name, merged down over its `size` rows when there are several."""
    for place, text in enumerate(texts, start=column):
        if size > 1:  # merged blank first: merge_range's own write could make a formula
            sheet.merge_range(row, place, row + size - 1, place, "", style)
        sheet.write_string(row, place, text, style)


def _aspect_row(sheet, row: int, aspect: Aspect, style) -> None:
    """An aspect's cells from 评分项编号 on; the mark as a number, every text as text."""
    descriptors = [*aspect.descriptors, "", "", "", ""][: len(DESCRIPTOR_KEYS)]
    texts = [aspect.code, aspect.description, KIND_NAMES.get(aspect.kind, str(aspect.kind))]
    for column, text in enumerate(texts, start=4):
        sheet.write_string(row, column, text, style)
    if aspect.max_mark.is_finite() and abs(aspect.max_mark) < 10**9:
        sheet.write_number(row, 7, float(aspect.max_mark), style)
    else:
        sheet.write_string(row, 7, str(aspect.max_mark), style)
    for column, text in enumerate([aspect.requirement, *descriptors], start=8):
        sheet.write_string(row, column, text, style)


def _drop_downs(sheet, keys: list[str]) -> None:
    """A list on 类型 and a number above 0 on 分值 (warnings, so other spellings still fit)."""
    kind, mark = keys.index("kind"), keys.index("max_mark")
    options = {"error_type": "warning", "error_message": "详见“说明”工作表。"}
    sheet.data_validation(
        1, kind, MAX_ASPECTS, kind, {"validate": "list", "source": ["测量", "评价"]} | options
    )
    number = {"validate": "decimal", "criteria": ">", "value": 0}
    sheet.data_validation(1, mark, MAX_ASPECTS, mark, number | options)


def _instructions_sheet(workbook: xlsxwriter.Workbook, scheme: Scheme) -> None:
    """The 说明 sheet: how to fill each column, the rules, and the marks per criterion."""
    sheet = workbook.add_worksheet(INSTRUCTIONS)
    bold = workbook.add_format({"bold": True, "bg_color": "#DDEBF7"})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    sheet.set_column(0, 1, 16, wrap)
    sheet.set_column(2, 2, 70, wrap)
    lines = [["列名", "是否必填", "填写说明"], *_instructions()]
    lines += [["", "", ""], ["模块", "分值", "模块名称"]]
    lines += [[c.code, format_mark(c.max_mark), c.name] for c in scheme.criteria]
    lines.append(["合计", format_mark(scheme.total), "应为 100"])
    for number, line in enumerate(lines):
        style = bold if line[0] in ("列名", "模块") else None
        for column, text in enumerate(line):
            sheet.write_string(number, column, text, style)


def _instructions() -> list[list[str]]:
    """Each column, whether it is required, and how to fill it; then the rules."""
    return [
        ["模块编号", "必填", "一级指标的编号，如 A、B；同一模块只在第一行填写，下方留空或重复"],
        ["模块名称", "必填", f"如“安全文明生产”，不超过 {MAX_NAME} 字"],
        ["二级指标编号", "必填", "如 A1、A2；同一二级指标只在第一行填写，下方留空或重复"],
        ["二级指标名称", "必填", f"不超过 {MAX_NAME} 字"],
        ["评分项编号", "必填", "如 A1.1；所有编号（模块、二级指标、评分项）不得重复"],
        ["评分项", "必填", f"评分内容，不超过 {MAX_DESCRIPTION} 字"],
        [
            "类型",
            "必填",
            "测量（客观评分，裁判组给出一个一致的分数）或 评价（主观评分，按 0～3 分打分）",
        ],
        ["分值", "必填", "该评分项的满分，大于 0，最多两位小数；全部评分项分值合计必须等于 100"],
        ["要求", "选填", f"测量项的要求或标准，如“绝缘电阻 ≥ 0.5 MΩ”，不超过 {MAX_TEXT} 字"],
        [
            "评分标准0～3",
            "评价项必填",
            "评价项得 0、1、2、3 分时的表现描述，四项都要填写；测量项不填",
        ],
        ["", "", ""],
        [
            "注意事项",
            "",
            "第一行是列标题，请勿修改；也可用英文列名 criterion_code、criterion、"
            "sub_criterion_code、sub_criterion、aspect_code、aspect、kind、max_mark、requirement、"
            "descriptor_0～descriptor_3",
        ],
        ["", "", "只读取第一个工作表（评分标准），空行会被跳过；可以使用合并单元格"],
        ["", "", "单元格中不能使用公式，内容也不能以“=”开头"],
        ["", "", f"文件不超过 {MAX_BYTES // MIB} MB，最多 {MAX_ASPECTS} 个评分项；只支持 .xlsx"],
        ["", "", "文件中有任何错误时不会导入；错误信息会注明行号"],
    ]
