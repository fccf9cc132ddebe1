"""Marking schemes as .xlsx: read the house template safely (written by scheme_xlsx_write).

Layout of the first sheet (评分标准), titles in row 1, one row per aspect:

    模块编号 | 模块名称 | 二级指标编号 | 二级指标名称 | 评分项编号 | 评分项 | 类型 | 分值 | 要求 |
    评分标准0 | 评分标准1 | 评分标准2 | 评分标准3

The criterion and sub-criterion columns are filled on the first row of each group; on the
rows below they may be repeated or left blank, a blank meaning "as in the row above" (what
merged cells read as). Exports merge them. English titles (criterion_code, criterion, …) are
accepted too; unknown titles are refused so a misspelt descriptor column is never dropped.
类型 is 测量 (measurement) or 评价 (judgement). Reading is all-or-nothing: any problem and
no scheme is returned.
"""

import unicodedata
from dataclasses import dataclass, field

import pandas as pd
from flask_babel import lazy_gettext as _l

from competitions.contests.scheme import (
    MAX_ASPECTS,
    Aspect,
    AspectKind,
    Criterion,
    Problem,
    Scheme,
    SubCriterion,
    check,
    code_key,
    to_mark,
)
from competitions.questions.interchange.tabular_read import MIB, fold, load_sheet

MAX_BYTES = 2 * MIB
SHEET, INSTRUCTIONS = "评分标准", "说明"
DESCRIPTOR_KEYS = tuple(f"descriptor_{score}" for score in range(4))
COLUMNS = {  # key (also the English title) → the template's title
    "criterion_code": "模块编号",
    "criterion": "模块名称",
    "sub_criterion_code": "二级指标编号",
    "sub_criterion": "二级指标名称",
    "aspect_code": "评分项编号",
    "aspect": "评分项",
    "kind": "类型",
    "max_mark": "分值",
    "requirement": "要求",
} | {key: f"评分标准{score}" for score, key in enumerate(DESCRIPTOR_KEYS)}
REQUIRED = tuple(COLUMNS)[:8]
_WORDS = {
    "criterion_code": ("模块编号", "模块代码", "一级指标编号", "criterion no"),
    "criterion": ("模块", "模块名称", "一级指标", "一级指标名称", "criterion name"),
    "sub_criterion_code": ("二级指标编号", "子模块编号", "sub-criterion code"),
    "sub_criterion": ("二级指标", "二级指标名称", "子模块", "子模块名称", "sub-criterion"),
    "aspect_code": ("评分项编号", "评分点编号", "aspect no"),
    "aspect": ("评分项", "评分项描述", "评分点", "评分内容", "description"),
    "kind": ("类型", "评分类型", "评分方式", "type", "aspect type"),
    "max_mark": ("分值", "配分", "满分", "最高分", "maximum mark", "marks", "mark"),
    "requirement": ("要求", "标准", "要求/标准", "测量要求", "评分要求", "standard"),
    "notes": ("备注", "序号", "note", "remarks", "no"),  # accepted and ignored
}
_WORDS |= {
    key: (f"评分标准{score}", f"评价{score}", f"{score}分", f"score {score}")
    for score, key in enumerate(DESCRIPTOR_KEYS)
}
HEADER_ALIASES = {fold(w): key for key, words in _WORDS.items() for w in (key, *words)}
KIND_NAMES = {AspectKind.MEASUREMENT: "测量", AspectKind.JUDGEMENT: "评价"}
_KIND_WORDS = {
    AspectKind.MEASUREMENT: ("测量", "测量分", "客观", "客观评分", "measurement", "m"),
    AspectKind.JUDGEMENT: ("评价", "评价分", "主观", "主观评分", "judgement", "judgment", "j"),
}
KIND_ALIASES = {fold(word): kind for kind, words in _KIND_WORDS.items() for word in words}


def read_scheme(content: bytes) -> tuple[Scheme | None, list[Problem]]:
    """The scheme of an .xlsx file and no problems, or None and every problem found."""
    if len(content) > MAX_BYTES:
        message = _l("the file is too large (more than %(max)d MB)", max=MAX_BYTES // MIB)
        return None, [Problem(0, str(message))]
    frame, formulas, problem = load_sheet(content, "scheme.xlsx")
    if frame is None:
        return None, [problem or Problem(0, str(_l("the .xlsx file could not be read")))]
    columns, problems = _map_headers(frame)
    if problems:
        return None, problems
    rows, problems = _rows(frame, columns, formulas)
    if not rows and not problems:
        return None, [Problem(0, str(_l("the file holds no aspects")))]
    if len(rows) + len(problems) > MAX_ASPECTS:
        message = _l("more than %(max)d aspects: split the scheme", max=MAX_ASPECTS)
        return None, [Problem(0, str(message))]
    builder = _Builder()
    for number, cells in rows:
        builder.add(number, cells)
    scheme = builder.scheme()
    problems += builder.problems
    problems += check(scheme, complete=not problems)
    if problems:
        return None, sorted(problems, key=lambda problem: problem.where)
    return scheme, []


def _map_headers(frame: pd.DataFrame) -> tuple[dict[str, int], list[Problem]]:
    """Each known column's position from row 1, or the problems with the titles."""
    columns: dict[str, int] = {}
    unknown, twice = [], []
    header = frame.iloc[0].tolist() if len(frame) else []
    for index, title in enumerate(header):
        text = str(title).strip()
        key = HEADER_ALIASES.get(fold(text))
        if key is None:
            unknown += [text] if text else []
        elif key in columns:
            twice.append(text)
        else:
            columns[key] = index
    problems = []
    missing = [f"{COLUMNS[key]} ({key})" for key in REQUIRED if key not in columns]
    if missing:
        names = ", ".join(missing)
        message = _l("missing required columns (titles go in row 1): %(names)s", names=names)
        problems.append(Problem(1, str(message)))
    if twice:
        message = _l("columns given twice: %(names)s", names=", ".join(twice))
        problems.append(Problem(1, str(message)))
    if unknown:
        message = _l(
            "unknown columns: %(names)s (use the template's titles)", names=", ".join(unknown)
        )
        problems.append(Problem(1, str(message)))
    return columns, problems


def _rows(
    frame: pd.DataFrame, columns: dict[str, int], formulas: dict[int, list[int]]
) -> tuple[list[tuple[int, dict[str, str]]], list[Problem]]:
    """The non-blank rows as (row number, cells by key); rows holding formulas refused."""
    values = [[str(value).strip() for value in line] for line in frame.to_numpy().tolist()]
    titles = {index: values[0][index] for index in columns.values()}
    rows, problems = [], []
    for number, line in enumerate(values[1:], start=2):
        cells = {key: line[index] for key, index in columns.items()}
        if not any(value for key, value in cells.items() if key != "notes"):
            continue
        bad = {index for index in titles if line[index].startswith("=")}
        bad |= {index for index in formulas.get(number, []) if index in titles}
        if bad:
            names = ", ".join(titles[index] for index in sorted(bad))
            message = _l("formulas are not allowed (%(columns)s)", columns=names)
            problems.append(Problem(number, str(message)))
        else:
            rows.append((number, cells))
        if len(rows) + len(problems) > MAX_ASPECTS:
            break
    return rows, problems


@dataclass
class _Group:
    """A criterion or sub-criterion being read, with the rows under it so far."""

    code: str
    name: str
    row: int
    children: list = field(default_factory=list)


@dataclass
class _Builder:
    """Groups aspect rows under their criteria and sub-criteria, noting row problems."""

    criteria: list[_Group] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def add(self, number: int, cells: dict[str, str]) -> None:
        """Place one aspect row; a row that cannot be placed or read is noted and left out."""
        current = self.criteria[-1] if self.criteria else None
        criterion = self._group(number, cells["criterion_code"], cells["criterion"], current, "c")
        if criterion is None:
            return
        if criterion is not current:
            self.criteria.append(criterion)
        current_sub = criterion.children[-1] if criterion.children else None
        sub = self._group(
            number, cells["sub_criterion_code"], cells["sub_criterion"], current_sub, "s"
        )
        if sub is None:
            return
        if sub is not current_sub:
            criterion.children.append(sub)
        aspect = self._aspect(number, cells)
        if aspect is not None:
            sub.children.append(aspect)

    def _group(
        self, number: int, code: str, name: str, current: _Group | None, level: str
    ) -> _Group | None:
        """The group this row belongs to at one level: the current one or a new one."""
        if not code:
            if current is not None and name in ("", current.name):
                return current
            self.problems.append(Problem(number, _missing_code(level, bool(name))))
            return None
        if current is not None and code_key(code) == code_key(current.code):
            if name and name != current.name:
                message = _l(
                    "%(code)s is named “%(name)s” in row %(row)d",
                    code=current.code,
                    name=current.name,
                    row=current.row,
                )
                self.problems.append(Problem(number, str(message)))
            return current
        return _Group(code, name, number)

    def _aspect(self, number: int, cells: dict[str, str]) -> Aspect | None:
        """The aspect of a row, or None (with a problem) when its kind or mark is unreadable."""
        kind = KIND_ALIASES.get(fold(cells["kind"]))
        if kind is None:
            message = _l(
                "the kind must be 测量 (measurement) or 评价 (judgement), not “%(kind)s”",
                kind=cells["kind"],
            )
            self.problems.append(Problem(number, str(message)))
        max_mark = to_mark(unicodedata.normalize("NFKC", cells["max_mark"]).replace(" ", ""))
        if not cells["max_mark"]:
            self.problems.append(Problem(number, str(_l("the mark is missing"))))
        elif not max_mark.is_finite():
            message = _l("the mark “%(mark)s” is not a number", mark=cells["max_mark"])
            self.problems.append(Problem(number, str(message)))
        if kind is None or not max_mark.is_finite():
            return None
        descriptors = tuple(cells.get(key, "") for key in DESCRIPTOR_KEYS)
        if kind is AspectKind.MEASUREMENT and not any(descriptors):
            descriptors = ()
        return Aspect(
            code=cells["aspect_code"],
            description=cells["aspect"],
            kind=kind,
            max_mark=max_mark,
            descriptors=descriptors,
            requirement=cells.get("requirement", ""),
            row=number,
        )

    def scheme(self) -> Scheme:
        """The scheme built so far."""
        return Scheme(tuple(_criterion(group) for group in self.criteria))


def _criterion(group: _Group) -> Criterion:
    """A criterion from its group of sub-criterion groups."""
    subs = tuple(SubCriterion(s.code, s.name, tuple(s.children), s.row) for s in group.children)
    return Criterion(group.code, group.name, subs, group.row)


def _missing_code(level: str, named: bool) -> str:
    """Why a row's criterion ("c") or sub-criterion ("s") cannot be found."""
    if named:
        if level == "c":
            return str(_l("the criterion's name is given without its code"))
        return str(_l("the sub-criterion's name is given without its code"))
    if level == "c":
        return str(_l("the criterion code is missing"))
    return str(_l("the sub-criterion code is missing"))
