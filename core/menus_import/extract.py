"""Page in, ScrapedMenu out: site mapping, then schema.org structured data, then plain-HTML heuristics."""
from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser

from core.menus_import.decoding import decode_html
from core.menus_import.errors import ScrapeError, scrape_error
from core.menus_import.heuristics import extract_heuristic
from core.menus_import.model import ExtractionSource, ScrapedMenu
from core.menus_import.schemaorg import map_trees
from core.menus_import.site_mapping import SiteMapping, extract_with_mapping
from core.menus_import.structured_data import structured_trees

# On a tie the syntax listed first wins: JSON-LD is the one sites keep most complete.
_SYNTAXES = (("json-ld", ExtractionSource.JSON_LD), ("microdata", ExtractionSource.MICRODATA),
             ("rdfa", ExtractionSource.RDFA))


def _language(tree: LexborHTMLParser) -> str | None:
    html = tree.css_first("html")
    lang = (html.attributes.get("lang") or "") if html is not None else ""
    return lang.split("-")[0].strip().lower() or None


def _page_title(tree: LexborHTMLParser) -> str | None:
    site = tree.css_first('meta[property="og:site_name"]')
    if site is not None and (site.attributes.get("content") or "").strip():
        return (site.attributes.get("content") or "").strip()
    title = tree.css_first("title")
    text = re.sub(r"\s+", " ", title.text() if title is not None else "").strip()
    # An unclosed <title> swallows the page; such a "title" names nothing.
    return text if 0 < len(text) <= 150 else None


def extract_menu(
    page: bytes | str,
    url: str = "",
    *,
    http_charset: str | None = None,
    site_mapping: SiteMapping | None = None,
    default_currency: str | None = None,
) -> ScrapedMenu:
    """Read the menu on a page. Never raises for broken HTML; an empty result means no menu was found.

    `http_charset` is the Content-Type charset, if the server sent one; `default_currency` settles '$'
    and unmarked prices. Raises DomainError(decode_error) only for pages that are not text at all.
    """
    decoded = decode_html(page, http_charset)
    tree = LexborHTMLParser(decoded.text)
    common = {"url": url, "language": _language(tree), "encoding": decoded.encoding}
    if site_mapping is not None:
        sections = extract_with_mapping(tree, site_mapping)
        if sections:
            mapped = ScrapedMenu(source=ExtractionSource.SITE_MAPPING, restaurant_name=_page_title(tree),
                                 currency=site_mapping.currency or default_currency, sections=sections, **common)
            return mapped
    trees = structured_trees(decoded.text, url)
    candidates = [(map_trees(trees[key], url, default_currency), source) for key, source in _SYNTAXES]
    best, best_source = max(candidates, key=lambda c: c[0].item_count)  # max keeps the first on ties
    restaurant = next((c.restaurant_name for c, _ in candidates if c.restaurant_name), None)
    if best.item_count:
        return best.model_copy(update={"source": best_source, "restaurant_name": restaurant, **common})
    sections, currency, title = extract_heuristic(tree, default_currency)
    return ScrapedMenu(
        source=ExtractionSource.HEURISTIC if sections else ExtractionSource.NONE,
        restaurant_name=restaurant or title or _page_title(tree),
        currency=currency,
        sections=sections,
        **common,
    )


def require_menu(menu: ScrapedMenu) -> ScrapedMenu:
    """The menu itself, or DomainError(not_a_menu) when the page held no priced items."""
    if menu.item_count == 0:
        raise scrape_error(ScrapeError.NOT_A_MENU, f"no menu items found on {menu.url or 'the page'}", url=menu.url)
    return menu
