"""A contest's marking scheme (评分标准) as plain data, and its rules: no database, no Flask app.

A scheme has criteria (模块, code "A"), each with sub-criteria (二级指标, code "A1"), each
with aspects (评分项, code "A1.1"). A measurement aspect (测量) gets one agreed mark and may
state its requirement; a judgement aspect (评价) is scored 0–3 by each judge against four
descriptors. The aspects' maximum marks add up to exactly 100.

`row` fields hold the spreadsheet row an item was read from (0 when built in code); they are
left out of comparisons, so a scheme read back from its own export equals the original.
"""

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from flask_babel import lazy_gettext as _l

from competitions.questions.types import Problem
from guild.i18n import mark, translate

TOTAL = Decimal(100)
SCORES = (0, 1, 2, 3)  # the scores a judge gives a judgement aspect
MAX_CODE = 20
MAX_NAME = 100
MAX_DESCRIPTION = 500
MAX_TEXT = 1000  # a requirement or one descriptor
MAX_ASPECTS = 500


class AspectKind(StrEnum):
    """How an aspect is marked: one agreed measurement, or judges' 0–3 scores."""

    MEASUREMENT = "measurement"
    JUDGEMENT = "judgement"

    @property
    def label(self) -> str:
        """The kind's name in the user's language."""
        return translate(KIND_LABELS[self])


KIND_LABELS = {
    AspectKind.MEASUREMENT: mark("Measurement"),
    AspectKind.JUDGEMENT: mark("Judgement"),
}


def to_mark(value: Decimal | float | int | str) -> Decimal:
    """A mark as a Decimal (a float through its shortest text, so 2.3 stays 2.3)."""
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        return Decimal("NaN")


@dataclass(frozen=True)
class Aspect:
    """One thing marked: a measurement with an optional requirement, or a judgement.

    `descriptors` holds the texts for scores 0, 1, 2 and 3 of a judgement aspect, and is
    empty for a measurement aspect.
    """

    code: str
    description: str
    kind: AspectKind
    max_mark: Decimal
    descriptors: tuple[str, ...] = ()
    requirement: str = ""
    row: int = field(default=0, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "max_mark", to_mark(self.max_mark))
        object.__setattr__(self, "descriptors", tuple(self.descriptors))


@dataclass(frozen=True)
class SubCriterion:
    """A group of aspects inside a criterion (二级指标)."""

    code: str
    name: str
    aspects: tuple[Aspect, ...]
    row: int = field(default=0, compare=False)

    @property
    def max_mark(self) -> Decimal:
        """The sum of the aspects' maximum marks."""
        return sum((aspect.max_mark for aspect in self.aspects), Decimal(0))


@dataclass(frozen=True)
class Criterion:
    """A top-level part of the scheme (模块 or 一级指标)."""

    code: str
    name: str
    sub_criteria: tuple[SubCriterion, ...]
    row: int = field(default=0, compare=False)

    @property
    def max_mark(self) -> Decimal:
        """The sum of the maximum marks of every aspect under the criterion."""
        return sum((sub.max_mark for sub in self.sub_criteria), Decimal(0))

    def aspects(self) -> Iterator[Aspect]:
        """Every aspect under the criterion, in order."""
        for sub in self.sub_criteria:
            yield from sub.aspects


@dataclass(frozen=True)
class Scheme:
    """A whole marking scheme: its criteria in order."""

    criteria: tuple[Criterion, ...]

    @property
    def total(self) -> Decimal:
        """The sum of every aspect's maximum mark (100 in a valid scheme)."""
        return sum((criterion.max_mark for criterion in self.criteria), Decimal(0))

    def aspects(self) -> Iterator[Aspect]:
        """Every aspect of the scheme, in order."""
        for criterion in self.criteria:
            yield from criterion.aspects()


def marks_by_criterion(scheme: Scheme) -> dict[str, Decimal]:
    """Each criterion's code with the sum of its aspects' maximum marks, in order."""
    return {criterion.code: criterion.max_mark for criterion in scheme.criteria}


def format_mark(value: Decimal) -> str:
    """A mark as people write it: 10, 2.5, 0.25 (no trailing zeros; huge ones as 1E+9)."""
    if not value.is_finite() or not -6 <= value.adjusted() <= 6:
        return str(value)
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def validate(scheme: Scheme) -> list[Problem]:
    """Everything wrong with a scheme, each at its row when known, in row order."""
    return check(scheme, complete=True)


def check(scheme: Scheme, complete: bool) -> list[Problem]:
    """The scheme's problems; the total and empty groups only when no row was left out."""
    found: list[Problem] = []
    if not scheme.criteria and complete:
        found.append(Problem(0, str(_l("the marking scheme has no criteria"))))
    if sum(1 for _ in scheme.aspects()) > MAX_ASPECTS:
        message = _l("more than %(max)d aspects: split the scheme", max=MAX_ASPECTS)
        found.append(Problem(0, str(message)))
    found += _duplicate_codes(scheme)
    for criterion in scheme.criteria:
        found += _group_problems(criterion, complete)
        for sub in criterion.sub_criteria:
            found += _group_problems(sub, complete)
            for aspect in sub.aspects:
                found += aspect_problems(aspect)
    if complete and scheme.criteria and all(_summable(a.max_mark) for a in scheme.aspects()):
        found += _total_problem(scheme)
    return sorted(found, key=lambda problem: problem.where)


def _summable(value: Decimal) -> bool:
    """A mark that can be added up safely (no NaN, no overflow of 1E+999999s)."""
    return value.is_finite() and abs(value) <= TOTAL


def _total_problem(scheme: Scheme) -> list[Problem]:
    """A problem when the maximum marks do not add up to exactly 100."""
    total = scheme.total
    if total == TOTAL:
        return []
    message = _l("the marks add up to %(total)s, not 100", total=format_mark(total))
    return [Problem(0, str(message))]


def _group_problems(group: Criterion | SubCriterion, complete: bool) -> list[Problem]:
    """A criterion's or sub-criterion's code, name and content."""
    code, row, name = group.code, group.row, group.name.strip()
    found = [Problem(row, text) for text in code_problems(code)]
    if not name:
        found.append(Problem(row, str(_l("%(code)s: the name is empty", code=code))))
    elif len(name) > MAX_NAME:
        message = _l(
            "%(code)s: the name is longer than %(max)d characters", code=code, max=MAX_NAME
        )
        found.append(Problem(row, str(message)))
    aspects = group.aspects() if isinstance(group, Criterion) else group.aspects
    if complete and not any(True for _ in aspects):
        found.append(Problem(row, str(_l("%(code)s has no aspects", code=code))))
    return found


def code_problems(code: str) -> list[str]:
    """What is wrong with a code: empty, too long, or holding spaces."""
    if not code.strip():
        return [str(_l("a code is empty"))]
    if len(code) > MAX_CODE:
        message = _l("code %(code)s is longer than %(max)d characters", code=code, max=MAX_CODE)
        return [str(message)]
    if any(char.isspace() for char in code):
        return [str(_l("code “%(code)s” holds spaces", code=code))]
    return []


def aspect_problems(aspect: Aspect) -> list[Problem]:
    """An aspect's code, description, kind, mark and texts."""
    found = [Problem(aspect.row, text) for text in code_problems(aspect.code)]
    found += [Problem(aspect.row, text) for text in _text_problems(aspect)]
    found += [Problem(aspect.row, text) for text in _mark_problems(aspect)]
    if not isinstance(aspect.kind, AspectKind):
        message = _l("%(code)s: the kind must be measurement or judgement", code=aspect.code)
        return [*found, Problem(aspect.row, str(message))]
    found += [Problem(aspect.row, text) for text in _descriptor_problems(aspect)]
    return found


def _text_problems(aspect: Aspect) -> list[str]:
    """The description is present and short enough; the requirement is short enough."""
    code = aspect.code
    if not aspect.description.strip():
        return [str(_l("%(code)s: the description is empty", code=code))]
    found = []
    if len(aspect.description) > MAX_DESCRIPTION:
        message = _l(
            "%(code)s: the description is longer than %(max)d characters",
            code=code,
            max=MAX_DESCRIPTION,
        )
        found.append(str(message))
    if len(aspect.requirement) > MAX_TEXT:
        message = _l(
            "%(code)s: the requirement is longer than %(max)d characters", code=code, max=MAX_TEXT
        )
        found.append(str(message))
    return found


def _mark_problems(aspect: Aspect) -> list[str]:
    """The maximum mark is a number above 0 with at most two decimals."""
    value, code = aspect.max_mark, aspect.code
    if not value.is_finite():
        return [str(_l("%(code)s: the mark is not a number", code=code))]
    if value <= 0:
        message = _l(
            "%(code)s: the mark must be more than 0 (it is %(mark)s)",
            code=code,
            mark=format_mark(value),
        )
        return [str(message)]
    if value > TOTAL:
        return [str(_l("%(code)s: the mark is more than 100", code=code))]
    if value != value.quantize(Decimal("0.01")):
        return [str(_l("%(code)s: the mark has more than two decimals", code=code))]
    return []


def _descriptor_problems(aspect: Aspect) -> list[str]:
    """Judgement aspects have all four descriptors; measurement aspects have none."""
    code, texts = aspect.code, aspect.descriptors
    if aspect.kind is AspectKind.MEASUREMENT:
        if any(text.strip() for text in texts):
            message = _l("%(code)s: a measurement aspect takes no descriptors for 0–3", code=code)
            return [str(message)]
        return []
    if len(texts) > len(SCORES):
        message = _l(
            "%(code)s: a judgement aspect has exactly four descriptors, for 0–3", code=code
        )
        return [str(message)]
    padded = [*texts, "", "", "", ""][: len(SCORES)]
    missing = [str(score) for score, text in zip(SCORES, padded, strict=True) if not text.strip()]
    found = []
    if missing:
        message = _l(
            "%(code)s: a judgement aspect needs descriptors for scores 0, 1, 2 and 3"
            " (missing: %(scores)s)",
            code=code,
            scores=", ".join(missing),
        )
        found.append(str(message))
    if any(len(text) > MAX_TEXT for text in texts):
        message = _l(
            "%(code)s: a descriptor is longer than %(max)d characters", code=code, max=MAX_TEXT
        )
        found.append(str(message))
    return found


def code_key(code: str) -> str:
    """A code as compared for uniqueness: NFKC, case-folded, trimmed."""
    return unicodedata.normalize("NFKC", code).strip().casefold()


def _duplicate_codes(scheme: Scheme) -> list[Problem]:
    """Every code used a second time anywhere in the scheme, at the later item's row."""
    items: list[Criterion | SubCriterion | Aspect] = []
    for criterion in scheme.criteria:
        items.append(criterion)
        for sub in criterion.sub_criteria:
            items += [sub, *sub.aspects]
    first: dict[str, Criterion | SubCriterion | Aspect] = {}
    found = []
    for item in items:
        key = code_key(item.code)
        if not key:
            continue
        if key not in first:
            first[key] = item
            continue
        earlier = first[key]
        if earlier.row:
            text = _l(
                "code %(code)s is used twice (first in row %(row)d)",
                code=item.code,
                row=earlier.row,
            )
        else:
            text = _l("code %(code)s is used twice", code=item.code)
        found.append(Problem(item.row, str(text)))
    return found


# ---- an example: the practical of an electrician contest (维修电工), for the template ----

_LEVELS = (
    "差，未达到行业要求|一般，达到行业基本要求|良好，达到并部分超过行业要求|优秀，全面超过行业要求"
)


def _example(lines: tuple[tuple[str, ...], ...]) -> Scheme:
    """A scheme from flat lines: (code, name) for groups, (code, kind, mark, text, …) else."""
    criteria: list[list] = []
    for code, *rest in lines:
        if len(rest) == 1 and "." not in code and code.isalpha():
            criteria.append([code, rest[0], []])
        elif len(rest) == 1:
            criteria[-1][2].append([code, rest[0], []])
        else:
            kind, value, text, *more = rest
            descriptors = tuple(more[0].split("|")) if kind == "j" else ()
            requirement = more[0] if kind == "m" and more else ""
            kind = AspectKind.JUDGEMENT if kind == "j" else AspectKind.MEASUREMENT
            aspect = Aspect(code, text, kind, Decimal(value), descriptors, requirement)
            criteria[-1][2][-1][2].append(aspect)
    groups = [
        (c, n, tuple(SubCriterion(*s[:2], tuple(s[2])) for s in subs)) for c, n, subs in criteria
    ]
    return Scheme(tuple(Criterion(*group) for group in groups))


EXAMPLE = _example(
    (
        ("A", "职业素养与安全文明生产"),
        ("A1", "安全防护"),
        ("A1.1", "m", "2", "正确穿戴绝缘鞋、工作服、安全帽", "进场至离场全程穿戴齐全"),
        ("A1.2", "m", "3", "停电、验电、挂牌上锁后方可接线", "顺序正确，无带电作业"),
        ("A2", "文明生产"),
        ("A2.1", "j", "3", "工位整洁、工具定置、废料分类", _LEVELS),
        ("A2.2", "m", "2", "材料节约，无损坏元器件和仪表", "无损坏，余料不超过 10%"),
        ("B", "电气控制线路安装"),
        ("B1", "元器件安装"),
        ("B1.1", "m", "4", "元器件型号、规格与电气原理图一致", "全部一致"),
        ("B1.2", "j", "6", "元器件布置合理、安装牢固、排列整齐", _LEVELS),
        ("B2", "布线工艺"),
        ("B2.1", "m", "5", "导线颜色与截面符合要求", "主回路 2.5 mm²，控制回路 1 mm²"),
        ("B2.2", "j", "8", "线槽布线横平竖直、分布均匀、无交叉", _LEVELS),
        ("B2.3", "m", "6", "端子压接牢固、无露铜、无压绝缘层", "露铜不超过 1 mm"),
        ("B2.4", "m", "5", "线号标识齐全、正确、方向一致", "与接线图一致"),
        ("B3", "接地保护"),
        ("B3.1", "m", "6", "保护接地连接可靠", "接地电阻不大于 4 Ω"),
        ("C", "通电调试与故障排除"),
        ("C1", "通电前检测"),
        ("C1.1", "m", "5", "主回路对地绝缘电阻", "不小于 0.5 MΩ"),
        ("C1.2", "m", "3", "控制回路通断检测", "万用表检测，记录完整"),
        ("C2", "功能实现"),
        ("C2.1", "m", "8", "电动机正反转控制功能", "一次通电成功，互锁可靠"),
        ("C2.2", "m", "7", "星三角降压启动时间整定", "3 s ± 0.5 s"),
        ("C2.3", "m", "4", "过载保护动作正确", "热继电器整定值为额定电流 1.05 倍"),
        ("C3", "故障排除"),
        ("C3.1", "j", "4", "故障分析思路与检测方法", _LEVELS),
        ("C3.2", "m", "4", "在 15 分钟内排除设置的两处故障", "每处 2 分"),
        ("D", "技术文件"),
        ("D1", "图纸与记录"),
        ("D1.1", "m", "3.5", "调试记录完整、数据真实", "记录表各栏填写齐全"),
        ("D1.2", "j", "4.5", "电气原理图绘制规范", _LEVELS),
        ("D2", "工艺说明"),
        ("D2.1", "j", "4", "安装工艺说明条理清楚", _LEVELS),
        ("D2.2", "m", "3", "材料清单准确", "型号、数量与实物一致"),
    )
)
