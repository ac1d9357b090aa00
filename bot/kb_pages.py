"""The knowledge base on the web: `/kb/{lang}/{id}` renders an article as a small HTML page,
so the links the bot sends work out of the box."""

from __future__ import annotations

from html import escape

from aiohttp import web
from markdown_it import MarkdownIt

from bot.knowledge import KnowledgeBase

KNOWLEDGE = web.AppKey("knowledge", KnowledgeBase)
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False})
_PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;
color:#1d2430}} h1{{font-size:1.5rem}} .updated{{color:#667;font-size:.9rem}}</style>
</head><body><article><h1>{title}</h1>{body}
<p class="updated">{updated}</p></article></body></html>"""


async def article_page(request: web.Request) -> web.Response:
    """One article in one language; 404 for an unknown one."""
    knowledge = request.app[KNOWLEDGE]
    article = knowledge.get(request.match_info["id"], request.match_info["lang"])
    if article is None:
        raise web.HTTPNotFound(text="No such article.")
    html = _PAGE.format(lang=article.lang, title=escape(article.title),
                        body=_markdown.render(article.body), updated=article.updated.isoformat())
    return web.Response(text=html, content_type="text/html")


def add_routes(app: web.Application, knowledge: KnowledgeBase) -> None:
    app[KNOWLEDGE] = knowledge
    app.router.add_get("/kb/{lang}/{id}", article_page)
