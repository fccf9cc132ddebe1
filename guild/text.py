"""Small text helpers shared by searches and validators."""


def like_pattern(fragment: str) -> str:
    """A LIKE pattern matching the fragment anywhere, with % and _ taken literally."""
    escaped = fragment.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def has_control_characters(text: str) -> bool:
    """True when text holds a control character other than tab and line breaks."""
    return any((ord(c) < 32 and c not in "\t\r\n") or c == "\x7f" for c in text)
