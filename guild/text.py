"""Small text helpers shared by searches and validators."""


def like_pattern(fragment: str) -> str:
    """A LIKE pattern matching the fragment anywhere, with % and _ taken literally."""
    escaped = fragment.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
