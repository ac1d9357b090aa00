"""HTML mail made readable text (for mails that have no plain-text part) and text made
simple HTML (for the HTML part of our replies)."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

BLOCKS = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table",
          "blockquote", "ul", "ol", "hr", "pre"}
SKIPPED = {"script", "style", "head", "title"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.quoting = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED:
            self.skipping += 1
        if tag == "blockquote":
            self.quoting += 1
        if tag in BLOCKS:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED and self.skipping:
            self.skipping -= 1
        if tag == "blockquote" and self.quoting:
            self.quoting -= 1
        if tag in BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        text = re.sub(r"\s+", " ", data)
        self.parts.append(("> " + text) if self.quoting and text.strip() else text)


def html_to_text(markup: str) -> str:
    """The readable text of an HTML mail: blocks become lines, quotes keep their `>`."""
    parser = _Text()
    parser.feed(markup)
    parser.close()
    lines = [line.strip() for line in "".join(parser.parts).splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def text_to_html(paragraphs: list[str], choices: list[list[str]]) -> str:
    """A simple HTML body: each paragraph, then its numbered choices, if any."""
    body = []
    for paragraph, options in zip(paragraphs, choices, strict=True):
        body.append("<p>" + html.escape(paragraph).replace("\n", "<br>\n") + "</p>")
        if options:
            body.append("<ol>" + "".join(f"<li>{html.escape(o)}</li>" for o in options)
                        + "</ol>")
    return ("<!DOCTYPE html>\n<html><body style=\"font-family: sans-serif\">\n"
            + "\n".join(body) + "\n</body></html>\n")
