"""Text helpers every channel uses: splitting long messages at sensible places."""

from __future__ import annotations


def split_text(text: str, limit: int) -> list[str]:
    """Split `text` into chunks of at most `limit` characters, preferring paragraph, line
    and word boundaries, never losing a character of content."""
    chunks: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"), window.rfind(" "))
        if cut < limit // 2:
            cut = limit
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest or not chunks:
        chunks.append(rest)
    return chunks
