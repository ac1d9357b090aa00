"""The widget's script, served as one file built from its parts in
`channels/webchat_static/widget/` (`NN-name.js`, in name order), and its static folder."""

from __future__ import annotations

from pathlib import Path

STATIC = Path(__file__).resolve().parent / "webchat_static"


def widget_script(folder: Path = STATIC / "widget") -> bytes:
    """The widget as one script: its parts (`NN-name.js`, in name order) share one scope."""
    parts = [f"/* {path.name} */\n{path.read_text(encoding='utf-8')}"
             for path in sorted(folder.glob("*.js"))]
    header = ("/* supportbot live-chat widget. Embed: <script src=\"https://HOST/chat/widget.js\" "
              "data-title=\"Support\" data-lang=\"auto\" data-sound=\"off\"></script>\n"
              " * Plain ES2018, no dependencies, no external requests; built from "
              "channels/webchat_static/widget/. */\n")
    return (header + "(function () {\n'use strict';\nif (window.__sbwLoaded) return;\n"
            "window.__sbwLoaded = true;\n" + "\n".join(parts) + "})();\n").encode()


WIDGET_JS = widget_script()
