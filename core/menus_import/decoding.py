"""Bytes to text for HTML pages whose declared encoding may be missing or wrong."""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from charset_normalizer import from_bytes

from core.menus_import.errors import ScrapeError, scrape_error

_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
# Browsers read these labels as windows-1252 (WHATWG Encoding), and real pages rely on it for '€'.
_LATIN_GUESSES = {"cp1252", "iso8859-1", "iso8859-15", "cp1250", "cp850", "cp437", "iso8859-2"}
_WINDOWS_1252_ALIASES = {"iso8859-1", "latin-1", "latin1", "iso-8859-1", "ascii", "us-ascii", "cp1252"}


@dataclass(frozen=True, slots=True)
class DecodedPage:
    """Text of a page and how its encoding was decided: 'bom', 'http', 'meta', 'detected' or 'given'."""

    text: str
    encoding: str | None
    encoding_source: str


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if label in _WINDOWS_1252_ALIASES:
        return "cp1252"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def charset_from_content_type(content_type: str | None) -> str | None:
    """The charset parameter of a Content-Type header, e.g. 'text/html; charset=ISO-8859-1'."""
    if not content_type:
        return None
    match = re.search(r"charset\s*=\s*\"?([^\s;\"]+)", content_type, re.IGNORECASE)
    return match.group(1) if match else None


def _strict(raw: bytes, codec: str | None) -> str | None:
    if codec is None:
        return None
    try:
        return raw.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_html(raw: bytes | str, http_charset: str | None = None) -> DecodedPage:
    """Decode a page: BOM, then the HTTP charset, then <meta charset>, then detection.

    A declared charset that does not decode cleanly is treated as a lie and detection takes over.
    Raises DomainError(decode_error) for content that is not text in any encoding (binary).
    """
    if isinstance(raw, str):
        return DecodedPage(raw, None, "given")
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            return DecodedPage(raw[len(bom):].decode(codec, errors="replace"), codec, "bom")
    http_codec = _codec(http_charset)
    text = _strict(raw, http_codec)
    if text is not None:
        return DecodedPage(text, http_codec, "http")
    meta = _META_CHARSET.search(raw[:4096])
    meta_codec = _codec(meta.group(1).decode("ascii", "ignore")) if meta else None
    # A page claiming UTF-16 in ASCII-compatible bytes is mislabelled; skip the claim.
    if meta_codec and not meta_codec.startswith("utf-16"):
        text = _strict(raw, meta_codec)
        if text is not None:
            return DecodedPage(text, meta_codec, "meta")
    return _detect(raw)


def _detect(raw: bytes) -> DecodedPage:
    # NUL bytes do not occur in HTML in any ASCII-compatible encoding (UTF-16 pages carry a BOM).
    if b"\x00" in raw[:4096]:
        raise scrape_error(ScrapeError.DECODE_ERROR, "the page looks binary, not HTML text")
    # Valid UTF-8 is almost never an accident for non-ASCII bytes, so trust it before statistics.
    text = _strict(raw, "utf-8")
    if text is not None:
        return DecodedPage(text, "utf-8", "detected")
    best = from_bytes(raw[:200_000]).best()
    codec = _codec(best.encoding) if best is not None else None
    # Short Western pages are often mis-guessed as a neighbouring Latin code page; windows-1252 is the
    # web's de-facto default for undeclared legacy pages, so it wins among the Latin guesses.
    if (codec is None or codec in _LATIN_GUESSES or codec.startswith("mac-")) and _strict(raw, "cp1252") is not None:
        codec = "cp1252"
    if codec is None:
        raise scrape_error(ScrapeError.DECODE_ERROR, "could not determine the page's text encoding")
    return DecodedPage(raw.decode(codec, errors="replace"), codec, "detected")
