"""Fetching restaurant pages politely and safely, and turning them into menus (parsing is in core.menus_import)."""
from server.scraper.config import USER_AGENT, ScraperSettings
from server.scraper.fetcher import FetchResult, MenuFetcher
from server.scraper.scrape import scrape_url, scrape_url_to_json, scrape_url_to_json_async

__all__ = ["USER_AGENT", "FetchResult", "MenuFetcher", "ScraperSettings", "scrape_url", "scrape_url_to_json",
           "scrape_url_to_json_async"]
