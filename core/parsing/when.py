"""Requested time: "at 7:30 pm", "tomorrow lunch", "a las 8", "demain 20h", "kal saat baje", "in 30 minutes".

The parser is given `now` and the merchant's time zone and never reads the clock. Clock times, days,
weekdays, meals and durations come from the lexicons; explicit calendar dates ("12/05") go to dateparser
with the merchant's zone. A bare hour without am/pm is read the way restaurants hear it: 1-10 is
afternoon or evening, 11-12 is late morning or noon.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.orders.cart import RequestedTime
from core.parsing.lexicon import Lexicon, Scan
from core.parsing.text import Token

_TIME_ROLES = ("am", "pm", "oclock", "time_at", "time_post", "asap", "in_time", "in_time_after", "minutes",
               "hours", "day", "weekday", "meal", "duration")


@dataclass
class TimeMention:
    """What the message says about time, before it is resolved against `now`."""

    used: set[int] = field(default_factory=set)
    hour: int | None = None
    minute: int = 0
    meridiem: str | None = None  # "am" / "pm"
    day_offset: int | None = None
    weekday: int | None = None
    meal: tuple[str, str] | None = None
    asap: bool = False
    in_minutes: int | None = None
    calendar: datetime | None = None
    first: int | None = None
    last: int | None = None

    def mark(self, start: int, end: int) -> None:
        """Note tokens `start` to `end` as part of the time said."""
        self.used.update(range(start, end))
        self.first = start if self.first is None else min(self.first, start)
        self.last = end if self.last is None else max(self.last, end)

    @property
    def found(self) -> bool:
        """Whether any time was said."""
        return bool(self.used)


def _phrase_at(scan: Scan, i: int) -> tuple[int, dict]:
    """Longest lexicon phrase starting at i that has a time role: (end, roles) or (i, {})."""
    return scan.any_role(i, _TIME_ROLES)


def _number(tokens: list[Token], i: int, lexicon: Lexicon) -> tuple[int, int | None, int]:
    """(end, hour, minute) of a clock-ish number at i: '7', '7:30', '19h30', 'seven'."""
    if i >= len(tokens):
        return i, None, 0
    norm = tokens[i].norm
    if tokens[i].kind == "num":
        for sep in (":", "h", "."):
            if sep in norm:
                hh, _, mm = norm.partition(sep)
                if hh.isdecimal() and mm.isdecimal() and int(hh) < 24 and int(mm) < 60 and len(mm) == 2:
                    return i + 1, int(hh), int(mm)
                return i, None, 0
        if norm.isdecimal() and int(norm) <= 24:
            return i + 1, int(norm), 0
        return i, None, 0
    roles = lexicon.roles(norm)
    if roles and "number" in roles and 1 <= roles["number"] <= 12 and norm not in ("a", "an"):
        return i + 1, int(roles["number"]), 0
    return i, None, 0


def find_time(scan: Scan, is_menu: Callable[[int, int], bool] | None = None) -> TimeMention:
    """Scan tokens for time expressions; the tokens used are reported so they are not read as quantities.

    `is_menu(start, end)` says whether tokens belong to a menu name ("lunch size"): those stay food."""
    tokens, lexicon = scan.tokens, scan.lexicon
    found = TimeMention()
    i = 0
    while i < len(tokens):
        end, roles = _phrase_at(scan, i)
        amount = _amount(tokens, i, lexicon)
        if amount is not None:
            unit_end, unit = _phrase_at(scan, i + 1)
            if unit and ("minutes" in unit or "hours" in unit) and "number" not in unit:
                found.in_minutes = amount * (60 if "minutes" not in unit else 1)
                cue_end, cue = _phrase_at(scan, i - 1) if i else (0, {})
                found.mark(i - 1 if cue and "in_time" in cue and cue_end == i else i, unit_end)
                post_end, post = _phrase_at(scan, unit_end)
                if post and "in_time_after" in post:
                    found.mark(unit_end, post_end)
                i = unit_end
                continue
        n_end, hour, minute = _number(tokens, i, lexicon)
        clock_token = tokens[i].kind == "num" and (":" in tokens[i].norm or "h" in tokens[i].norm)
        if hour is not None and clock_token:
            _set_clock(found, i, n_end, hour, minute, scan)
            i = found.last or n_end
            continue
        if hour is not None:
            after_end, after = _phrase_at(scan, n_end)
            if after and any(r in after for r in ("am", "pm", "oclock", "time_post")):
                _set_clock(found, i, n_end, hour, minute, scan)
                i = found.last or n_end
                continue
        if roles:
            if "time_at" in roles and "day" not in roles:
                n_end, hour, minute = _number(tokens, end, lexicon)
                if hour is not None and _bare_hour_ok(tokens, n_end, lexicon):
                    found.mark(i, end)
                    _set_clock(found, end, n_end, hour, minute, scan)
                    i = found.last or n_end
                    continue
            if "in_time" in roles:
                d_end, d_roles = _phrase_at(scan, end)
                if d_roles and "duration" in d_roles:
                    found.in_minutes = int(d_roles["duration"])
                    found.mark(i, d_end)
                    i = d_end
                    continue
            matched = False
            if is_menu is not None and is_menu(i, end):
                i += 1
                continue
            if "duration" in roles and found.in_minutes is None:
                found.in_minutes, matched = int(roles["duration"]), True
            if "day" in roles:
                found.day_offset, matched = int(roles["day"]), True
            if "weekday" in roles:
                found.weekday, matched = int(roles["weekday"]), True
            if "meal" in roles:
                found.meal, matched = tuple(roles["meal"]), True
            if "asap" in roles and len(tokens) > 1:
                found.asap, matched = True, True
            if ("pm" in roles or "am" in roles) and end - i > 1:
                found.meridiem, matched = ("pm" if "pm" in roles else "am"), True
            if matched:
                found.mark(i, end)
                i = end
                continue
        if tokens[i].kind == "num" and i + 2 < len(tokens) and tokens[i + 1].norm == "/" and tokens[i + 2].kind == "num":
            _calendar(found, tokens, i, lexicon)
        i += 1
    return found


def _amount(tokens: list[Token], i: int, lexicon: Lexicon) -> int | None:
    """A count at i (digits or a number word), for durations such as 'in 30 minutes'."""
    norm = tokens[i].norm
    if tokens[i].kind == "num":
        return int(norm) if norm.isdecimal() and int(norm) <= 600 else None
    roles = lexicon.roles(norm)
    return int(roles["number"]) if roles and "number" in roles else None


def _bare_hour_ok(tokens: list[Token], after: int, lexicon: Lexicon) -> bool:
    """'at 7' is a time unless a non-lexicon word (likely a dish: 'as 2 pizzas') follows."""
    if after >= len(tokens) or tokens[after].kind != "word":
        return True
    return lexicon.roles(tokens[after].norm) is not None


def _set_clock(found: TimeMention, start: int, end: int, hour: int, minute: int, scan: Scan) -> None:
    tokens = scan.tokens
    found.hour, found.minute = hour, minute
    found.mark(start, end)
    j = end
    while j < len(tokens):  # trailing "o'clock", "pm", "baje", "de la noche"
        k, roles = _phrase_at(scan, j)
        if not roles or not any(r in roles for r in ("am", "pm", "oclock", "time_post")):
            break
        if "am" in roles or "pm" in roles:
            found.meridiem = "pm" if "pm" in roles else "am"
        found.mark(j, k)
        j = k
    if start > 0:  # a meridiem word just before: "शाम 7 बजे", "subah 9 baje"
        k, roles = _phrase_at(scan, start - 1)
        if roles and ("am" in roles or "pm" in roles) and k == start:
            found.meridiem = "pm" if "pm" in roles else "am"
            found.mark(start - 1, start)


def _calendar(found: TimeMention, tokens: list[Token], i: int, lexicon: Lexicon) -> None:
    import dateparser  # imported lazily: only explicit dates need it

    text = "".join(t.norm for t in tokens[i : i + 3])
    parsed = dateparser.parse(text, languages=[lexicon.code], settings={"PREFER_DATES_FROM": "future"})
    if parsed is not None:
        found.calendar = parsed
        found.mark(i, i + 3)


def resolve_time(found: TimeMention, now: datetime | None, tz: str) -> RequestedTime | None:
    """A timezone-aware RequestedTime, RequestedTime() for ASAP, or None (nothing said or no `now`)."""
    if not found.found:
        return None
    if found.asap and found.hour is None and found.meal is None and found.in_minutes is None:
        return RequestedTime()
    if now is None:
        return None
    zone = ZoneInfo(tz)
    local_now = now.astimezone(zone) if now.tzinfo else now.replace(tzinfo=zone)
    if found.in_minutes is not None:
        return RequestedTime(slot_start=local_now + timedelta(minutes=found.in_minutes))
    day = local_now.date()
    if found.calendar is not None:
        day = found.calendar.date()
    elif found.day_offset is not None:
        day = day + timedelta(days=found.day_offset)
    elif found.weekday is not None:
        day = day + timedelta(days=(found.weekday - day.isoweekday()) % 7)
    if found.hour is not None:
        start = _at(day, _hour24(found.hour, found.meridiem), found.minute, zone)
        if start < local_now and found.day_offset is None and found.weekday is None and found.calendar is None:
            start = _at(day + timedelta(days=1), _hour24(found.hour, found.meridiem), found.minute, zone)
        return RequestedTime(slot_start=start)
    if found.meal is not None:
        (h1, m1), (h2, m2) = (map(int, found.meal[0].split(":")), map(int, found.meal[1].split(":")))
        start, end = _at(day, h1, m1, zone), _at(day, h2, m2, zone)
        if end < local_now and found.day_offset is None and found.weekday is None:
            start, end = start + timedelta(days=1), end + timedelta(days=1)
        return RequestedTime(slot_start=max(start, local_now) if start < local_now < end else start, slot_end=end)
    if day != local_now.date():
        return None  # a day without a time: the dialogue asks
    return None


def _hour24(hour: int, meridiem: str | None) -> int:
    if meridiem == "pm" and hour < 12:
        return hour + 12
    if meridiem == "am" and hour == 12:
        return 0
    if meridiem is None and 1 <= hour <= 10:
        return hour + 12  # restaurants hear "at 7" as 19:00
    return hour % 24


def _at(day: date, hour: int, minute: int, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=zone)
