"""Menus from restaurant web pages: extract (structured data, heuristics, site mappings), diff, apply.

Pure: no HTTP here; server/scraper fetches pages and hands their bytes to `extract_menu`.
"""
from core.menus_import.apply import ApplyPlan, ApplyPolicy, apply_changes, plan_changes
from core.menus_import.diff import Change, ChangeKind, ChangeSet, Evidence, diff_menu
from core.menus_import.errors import ScrapeError
from core.menus_import.extract import extract_menu, require_menu
from core.menus_import.model import (
    Availability,
    ExtractionSource,
    ScrapedItem,
    ScrapedMenu,
    ScrapedOption,
    ScrapedSection,
    scraped_menu_to_json,
)
from core.menus_import.site_mapping import SiteMapping
from core.menus_import.to_menu import scraped_to_menu

__all__ = [
    "ApplyPlan", "ApplyPolicy", "Availability", "Change", "ChangeKind", "ChangeSet", "Evidence",
    "ExtractionSource", "ScrapeError", "ScrapedItem", "ScrapedMenu", "ScrapedOption", "ScrapedSection",
    "SiteMapping", "apply_changes", "diff_menu", "extract_menu", "plan_changes", "require_menu",
    "scraped_menu_to_json", "scraped_to_menu",
]
