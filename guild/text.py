"""Small text helpers shared by searches, validators and pages."""


def like_pattern(fragment: str) -> str:
    """A LIKE pattern matching the fragment anywhere, with % and _ taken literally."""
    escaped = fragment.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def has_control_characters(text: str) -> bool:
    """True when text holds a control character other than tab and line breaks."""
    return any((ord(c) < 32 and c not in "\t\r\n") or c == "\x7f" for c in text)


def file_size(size: int) -> str:
    """A file's size as people read it: bytes under 1 KB, whole KB under 1 MB, else MB."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{-(-size // 1024)} KB"  # rounded up: a 1,025-byte file is 2 KB, never 1
    return f"{size / 1048576:.1f} MB"
