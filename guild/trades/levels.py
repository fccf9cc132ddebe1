"""The five national skill levels (职业技能等级)."""

from enum import StrEnum

from guild.i18n import mark, translate


class SkillLevel(StrEnum):
    """A skill level, from L5 (entry) to L1 (senior technician)."""

    L5 = "L5"
    L4 = "L4"
    L3 = "L3"
    L2 = "L2"
    L1 = "L1"

    @property
    def label(self) -> str:
        """The level's name in the user's language."""
        return translate(LEVEL_LABELS[self])


LEVEL_LABELS = {
    SkillLevel.L5: mark("Level 5 · Junior worker"),
    SkillLevel.L4: mark("Level 4 · Intermediate worker"),
    SkillLevel.L3: mark("Level 3 · Senior worker"),
    SkillLevel.L2: mark("Level 2 · Technician"),
    SkillLevel.L1: mark("Level 1 · Senior technician"),
}

# How levels are written in Chinese spreadsheets, for imports.
LEVEL_ALIASES = {
    "五级": SkillLevel.L5,
    "初级工": SkillLevel.L5,
    "初级": SkillLevel.L5,
    "四级": SkillLevel.L4,
    "中级工": SkillLevel.L4,
    "中级": SkillLevel.L4,
    "三级": SkillLevel.L3,
    "高级工": SkillLevel.L3,
    "高级": SkillLevel.L3,
    "二级": SkillLevel.L2,
    "技师": SkillLevel.L2,
    "一级": SkillLevel.L1,
    "高级技师": SkillLevel.L1,
}


def parse_level(text: str) -> SkillLevel | None:
    """Read one level written as L3, l3, 三级 or 高级工; None when unknown."""
    text = text.strip()
    if text.upper() in SkillLevel._value2member_map_:
        return SkillLevel(text.upper())
    return LEVEL_ALIASES.get(text)


def sort_levels(levels) -> list[SkillLevel]:
    """Levels from entry (L5) up to the highest (L1), without repeats."""
    return sorted(set(levels), key=lambda level: -int(level.value[1]))
