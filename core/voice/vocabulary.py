"""What a customer of this merchant is likely to say: the menu's names inside the lexicon's ordering
phrases. Feeds the per-merchant language model (pocketsphinx) and the initial prompt (Whisper)."""
from __future__ import annotations

from core.menu import Menu, MenuItem
from core.parsing.lexicon import available_languages, raw_lexicon
from core.parsing.text import phrase_key
from core.voice.wer import spoken_words

_PER_ROLE = 6  # the first phrases of each lexicon role are its common ones


def lexicon_code(language: str | None) -> str:
    """The parser lexicon to spell a language's menu words with (English when there is none)."""
    return language if language in available_languages() else "en"


def number_words(language: str | None) -> dict[str, str]:
    """'2' -> 'two': the first one-word number of the lexicon for each value (skipping articles)."""
    out: dict[str, str] = {}
    for phrase, value in raw_lexicon(lexicon_code(language)).get("numbers", {}).items():
        key = str(value)
        if " " not in phrase and len(phrase) >= 3 and key not in out:
            out[key] = phrase
    return out


def lm_words(text: str, language: str | None) -> list[str]:
    """The words of `text` as the recogniser's vocabulary spells them (folded, numbers spoken)."""
    return [w for w in spoken_words(text, number_words(language)) if w.replace("'", "").isalpha()]


def _role(language: str, role: str, limit: int = _PER_ROLE) -> list[str]:
    phrases = raw_lexicon(language).get("phrases", {}).get(role, [])
    return [p for p in phrases if phrase_key(p) == p.lower() and "/" not in p][:limit] or [""]


def name_forms(name: str, language: str) -> list[str]:
    """A name and its plural by the language's first fitting rule on the last word ("pizza", "pizzas")."""
    key = phrase_key(name)
    if not key:
        return []
    words = key.split()
    last = words[-1]
    rules = [tuple(r) for r in raw_lexicon(language).get("plural_suffixes", [])]
    if not rules or len(last) < 3 or not last.isalpha() or any(p and last.endswith(p) for _, p in rules):
        return [key]
    singular, plural = next(((s, p) for s, p in rules if s and last.endswith(s)), rules[0])
    return [key, " ".join([*words[:-1], last[: len(last) - len(singular)] + plural])]


def item_names(item: MenuItem, menu: Menu, language: str, *, own_language_only: bool = False) -> list[str]:
    """Ways to say the item: its names, without the category word, with it after ("margherita pizza").
    `own_language_only`: when the item has a name in `language`, leave out its other names and synonyms
    (synonyms carry no language; "four cheese" is no way to hear a Spanish "cuatro quesos")."""
    translated = item.name_in(language)
    names = [translated] if own_language_only and translated != item.name else [translated, item.name, *item.synonyms]
    category = menu.category(item.category_id)
    if category is not None:
        heads = [phrase_key(category.name_in(language)), phrase_key(category.name)]
        head_words = {w.rstrip("s") for h in heads for w in h.split()}
        for name in list(names):
            words = phrase_key(name).split()
            kept = [w for w in words if w.rstrip("s") not in head_words]
            if kept and len(kept) < len(words):
                names.append(" ".join(kept))
            elif kept and len(words) <= 2:
                names.append(f"{' '.join(words)} {min(heads, key=len)}")
    return list(dict.fromkeys(f for n in names if n.strip() for f in name_forms(n, language)))


def order_sentences(menu: Menu, language: str | None) -> list[str]:
    """Example orders built from the menu and the lexicon, each name in several contexts; deterministic."""
    code = lexicon_code(language)
    doc = raw_lexicon(code)
    numbers = list(number_words(code).values())[:6] or ["1"]
    articles = [p for p, v in doc.get("numbers", {}).items() if v == 1 and len(p) <= 3][:2]
    counts = numbers + articles
    verbs, adds, removes = _role(code, "order_verb"), _role(code, "add", 3), _role(code, "remove", 3)
    extras, separators = _role(code, "extra", 2), _role(code, "separator", 2)
    fulfilment = _role(code, "delivery", 3) + _role(code, "pickup", 3)
    spoken = doc.get("voice_phrases", []) or [""]
    items = [(item, item_names(item, menu, code)) for item in menu.items]
    all_names = [name for _, names in items for name in names] or [""]
    sentences: list[str] = list(spoken)

    def pick(values: list[str], k: int) -> str:
        return values[k % len(values)]

    for i, (item, names) in enumerate(items):
        variants = [phrase_key(v.name_in(code)) for v in item.variants]
        options = [f for g in menu.groups_of(item) for o in g.options for f in name_forms(o.name_in(code), code)[:1]]
        for j, name in enumerate(names):
            k = i + j
            sentences.append(f"{pick(verbs, k)} {pick(counts, k)} {name} {pick(spoken, k)}")
            sentences.append(f"{pick(counts, k + 1)} {name} {pick(separators, k)} {pick(counts, k + 2)} "
                             f"{pick(all_names, k * 7 + 3)}")
            sentences.append(f"{pick(spoken, k + 1)} {pick(counts, k + 3)} {name} {pick(fulfilment, k)}")
            for m, variant in enumerate(variants):
                sentences.append(f"{pick(counts, k + m)} {variant} {name} {pick(spoken, k + m + 2)}")
        for j, option in enumerate(options):
            sentences.append(f"{pick(names, j)} {pick(adds, j)} {option} {pick(separators, j)} {pick(options, j + 1)}")
            sentences.append(f"{pick(names, j + 1)} {pick(extras, j)} {option}")
            sentences.append(f"{pick(removes, j)} {option}")
        for j, ingredient in enumerate(item.ingredients):
            sentences.append(f"{pick(names, j)} {pick(removes, j)} {ingredient}")
    for category in menu.categories:
        for form in name_forms(category.name_in(code), code):
            sentences.append(f"{verbs[0]} {counts[1 % len(counts)]} {form}")
    sentences += verbs + fulfilment
    return [" ".join(s.split()) for s in sentences if s.strip()]


def menu_prompt(menu: Menu, language: str | None, max_chars: int = 600) -> str:
    """A prompt for a recogniser that takes one (Whisper's initial_prompt): an order for every dish of the
    menu as a customer would say it ("I want two large Margherita, a Calzone with extra Cheese, ...").

    Whisper reads the prompt as the text before the audio. A bare list of names ("Garlic bread, Caprese
    salad, ...") makes it transcribe an order as a list ("1, Medium, Hawaii will next ..."); an order-shaped
    prompt, measured on the voice benchmark's dev orders, halves the orders it gets wrong. Names keep the
    menu's spelling; the prompt is cut at a dish boundary near `max_chars` (Whisper keeps ~224 tokens)."""
    code = lexicon_code(language)
    doc = raw_lexicon(code)
    articles = [p for p, v in doc.get("numbers", {}).items() if v == 1 and len(p) <= 3][:1]
    counts = list(number_words(code).values())[1:4] + articles or ["1"]
    verb = _role(code, "order_verb", 2)[-1]
    add, extra = _role(code, "add", 1)[0], _role(code, "extra", 1)[0]
    remove = next((r for r in _role(code, "remove") if " " not in r and len(r) >= 3), "")
    separator = _role(code, "separator", 1)[0]
    closing = (doc.get("voice_phrases") or [""])[0]
    parts: list[str] = []
    for i, item in enumerate(menu.items):
        sizes = [v.name_in(code).lower() for v in item.variants if not any(c.isdigit() for c in v.name_in(code))]
        options = [o.name_in(code).lower() for g in menu.groups_of(item) for o in g.options]
        part = f"{counts[i % len(counts)]} {sizes[i % len(sizes)] if sizes else ''} {item.name_in(code)}"
        if options and i % 3 == 1:
            part += f" {add} {extra} {options[i % len(options)]}"
        elif options and i % 3 == 2 and remove:
            part += f" {remove} {options[i % len(options)]}"
        parts.append(" ".join(part.split()))
    head = f"{verb.capitalize()} "
    tail = f" {closing}." if closing else "."
    while len(parts) > 1 and len(head) + len(", ".join(parts)) + len(tail) > max_chars:
        parts.pop()
    body = ", ".join(parts[:-1]) + f" {separator} " + parts[-1] if len(parts) > 1 else "".join(parts)
    return (head + body)[: max_chars - len(tail)] + tail
