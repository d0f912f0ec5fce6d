"""What a customer of this merchant is likely to say: the menu's names inside the lexicon's ordering
phrases. Feeds the per-merchant language model (pocketsphinx) and the initial prompt (Whisper)."""
from __future__ import annotations

from core.menu import Menu, MenuItem
from core.parsing.lexicon import available_languages, raw_lexicon
from core.parsing.text import phrase_key
from core.voice.wer import spoken_words

_PER_ROLE = 6  # the first phrases of each lexicon role are its common ones


def lexicon_code(language: str | None) -> str:
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


def _forms(name: str, language: str) -> list[str]:
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


def _item_names(item: MenuItem, menu: Menu, language: str) -> list[str]:
    """Ways to say the item: its names, without the category word, with it after ("margherita pizza")."""
    names = [item.name_in(language), item.name, *item.synonyms]
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
    return list(dict.fromkeys(f for n in names if n.strip() for f in _forms(n, language)))


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
    items = [(item, _item_names(item, menu, code)) for item in menu.items]
    all_names = [name for _, names in items for name in names] or [""]
    sentences: list[str] = list(spoken)

    def pick(values: list[str], k: int) -> str:
        return values[k % len(values)]

    for i, (item, names) in enumerate(items):
        variants = [phrase_key(v.name_in(code)) for v in item.variants]
        options = [f for g in menu.groups_of(item) for o in g.options for f in _forms(o.name_in(code), code)[:1]]
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
        for form in _forms(category.name_in(code), code):
            sentences.append(f"{verbs[0]} {counts[1 % len(counts)]} {form}")
    sentences += verbs + fulfilment
    return [" ".join(s.split()) for s in sentences if s.strip()]


def menu_prompt(menu: Menu, language: str | None, max_chars: int = 600) -> str:
    """A short text of the menu's names for a recogniser that takes a prompt (Whisper's initial_prompt
    biases spelling towards these names; it holds ~224 tokens, so the prompt is clipped)."""
    code = lexicon_code(language)
    names = list(dict.fromkeys(n for item in menu.items for n in [item.name_in(code)]))
    options = list(dict.fromkeys(o.name_in(code) for g in menu.modifier_groups for o in g.options))
    variants = list(dict.fromkeys(v.name_in(code) for item in menu.items for v in item.variants))
    text = ", ".join(names + variants + options)
    return text[:max_chars].rsplit(",", 1)[0] + "." if len(text) > max_chars else text + "."
