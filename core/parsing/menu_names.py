"""The names a customer may use for a menu item, derived from the menu alone.

Besides its name, translations and synonyms, an item is reached by its name without the category word
('margherita'), without function words ('croquetas jamon'), with two content words swapped ('tikka
paneer'), by a word only its name has ('bravas'), by the head of its name when it is the only item so
named or the plain one of its kind ('tortilla' for 'Tortilla española', 'agua' for 'Agua mineral' beside
'Agua con gas', 'coca cola' beside 'Coca-Cola Zero'). Each rule applies to every menu; none names a dish.
"""
from __future__ import annotations

from itertools import combinations

from core.menu import Menu, MenuItem
from core.parsing.lexicon import all_fillers, all_plural_suffixes, kind_words, language_markers, plain_words
from core.parsing.text import phrase_key

_MIN_STANDING = 4  # letters: shorter words are too often something else
_MAX_SHARED = 2  # a head shared by more dishes ('chicken') is an ingredient more than a name


def name_forms(name: str) -> set[str]:
    """Folded key of a name plus its plural and singular forms (head word first or last, any language)."""
    key = phrase_key(name)
    if not key:
        return set()
    forms = {key}
    words = key.split()
    for position in {0, len(words) - 1}:
        word = words[position]
        if len(word) < 3 or word.isdecimal():
            continue
        for singular, plural in all_plural_suffixes():
            if word.endswith(singular):
                inflected = word[: len(word) - len(singular)] + plural
                forms.add(" ".join(words[:position] + [inflected] + words[position + 1 :]))
            if word.endswith(plural) and len(word) - len(plural) >= 3:
                stem = word[: len(word) - len(plural)] + singular
                forms.add(" ".join(words[:position] + [stem] + words[position + 1 :]))
    return forms


def derived_item_names(menu: Menu, category_words: dict[str, set[str]]) -> dict[str, list[str]]:
    """item id -> every name of the item: its own, without the category word (unless that short name
    heads another item's name: 'tortilla' of 'Bocadillo de tortilla' beside 'Tortilla española'),
    without function words, and with two content words swapped."""
    own = {item.id: [item.name, *item.names.values(), *item.synonyms] for item in menu.items}
    heads = {item_id: {phrase_key(n).split()[0] for n in names if phrase_key(n)} for item_id, names in own.items()}
    derived: dict[str, list[str]] = {}
    for item in menu.items:
        others = set().union(*(h for other, h in heads.items() if other != item.id))
        names = list(own[item.id])
        fillers = all_fillers()
        for short in _short_names(names, category_words.get(item.category_id, set())):
            content = [w for w in short.split() if w not in fillers]
            if content and content[0] not in others:  # "de tortilla" beside "Tortilla española": not it
                names.append(short)
        names += _reworded_names(names)
        derived[item.id] = names
    for item_id, split in split_compounds(derived).items():
        derived[item_id] += split
    return derived


def standing_names(item_names: dict[str, list[str]], taken: dict, category_words: set[str],
                   own_names: dict[str, list[str]] | None = None, min_word: int = _MIN_STANDING) -> dict[str, str]:
    """phrase -> item id for parts of names that stand for one item on this menu: a word only that item's
    names have, and the head of a name (see the module docstring). Phrases the menu already uses
    (`taken`), category words, words of any lexicon and short words never stand for an item. Heads are
    taken from `own_names` (the menu's own names and synonyms; default: all of `item_names`), not from
    reworded ones ('calamares bocadillo' heads nothing). A single distinctive word needs `min_word` letters."""
    known, fillers = set(language_markers()) - kind_words(), all_fillers()
    found: dict[str, str] = {}
    owners: dict[str, set[str]] = {}
    starts: dict[str, dict[str, list[str]]] = {}
    for item_id, names in item_names.items():
        for name in names:
            words = phrase_key(name).split()
            for word in words:
                owners.setdefault(word, set()).add(item_id)
    for item_id, names in (own_names or item_names).items():
        for name in names:
            words = phrase_key(name).split()
            for k in range(1, len(words)):
                starts.setdefault(" ".join(words[:k]), {}).setdefault(item_id, words)
    for word, items in owners.items():
        if len(items) == 1:
            found[word] = next(iter(items))
    for phrase, items in _shortened(item_names).items():
        if len(items) == 1:
            found[phrase] = next(iter(items))
    qualifiers = _qualifiers(own_names or item_names)
    for head, named in starts.items():
        chosen = _plain_one(head, named)
        if chosen is not None and qualifiers.get(head, {chosen}) <= {chosen}:
            found[head] = chosen
    standing = {phrase: item_id for phrase, item_id in found.items()
                if len(phrase) >= (min_word if " " not in phrase else _MIN_STANDING) and not phrase.isdecimal()
                and not _names_more(taken.get(phrase)) and phrase not in known and phrase not in fillers
                and phrase not in category_words}
    for head, named in starts.items():  # "un café" on a menu with a category "Cafés": the plain one, Café solo
        plain = _plain_word_item(head, named)
        if plain is not None and head in category_words and head not in fillers:
            standing[head] = plain
    return standing


def _shortened(item_names: dict[str, list[str]]) -> dict[str, set[str]]:
    """Two or more words of a longer name, in order ('chicken biryani' of 'Chicken Dum Biryani') -> items."""
    out: dict[str, set[str]] = {}
    fillers = all_fillers()
    for item_id, names in item_names.items():
        for name in names:
            words = [w for w in phrase_key(name).split() if w not in fillers]
            if not 3 <= len(words) <= 5:
                continue
            for chosen in combinations(range(len(words)), 2):
                out.setdefault(" ".join(words[i] for i in chosen), set()).add(item_id)
    return out


def _qualifiers(item_names: dict[str, list[str]]) -> dict[str, set[str]]:
    """word -> items whose name ends with it right after another content word ('crème' of 'Café crème'):
    such a word also names that item, so it cannot stand for the item it heads ('Crème brûlée'). After a
    function word it does not ('Bocadillo de tortilla' leaves 'tortilla' to 'Tortilla española')."""
    fillers = all_fillers()
    out: dict[str, set[str]] = {}
    for item_id, names in item_names.items():
        for name in names:
            words = phrase_key(name).split()
            if len(words) >= 2 and words[-2] not in fillers:
                out.setdefault(words[-1], set()).add(item_id)
    return out


def _names_more(refs: list | None) -> bool:
    """Does a phrase already name something besides an item's ingredient ('slaw' of the chicken burger
    does not keep 'slaw' from naming the House Slaw)?"""
    return bool(refs) and any(ref.kind != "ingredient" for ref in refs)  # type: ignore[union-attr]


def _plain_one(head: str, named: dict[str, list[str]]) -> str | None:
    """The item a name head stands for: the only one it heads, the one whose name every other's extends
    ('coca cola' / 'coca cola zero'), or the one that is the head plus a word saying plain ('agua mineral',
    'cafe solo')."""
    if len(named) == 1:
        return next(iter(named))
    shortest = min(named.items(), key=lambda pair: len(pair[1]))
    if all(words[: len(shortest[1])] == shortest[1] for item, words in named.items() if item != shortest[0]) \
            and sum(len(words) == len(shortest[1]) for words in named.values()) == 1:
        return shortest[0]
    return _plain_word_item(head, named)


def _plain_word_item(head: str, named: dict[str, list[str]]) -> str | None:
    """The one item named the head plus a word saying plain ('cafe solo', 'agua mineral'), if any."""
    size = len(head.split())
    plain = [item for item, words in named.items() if len(words) == size + 1 and words[size] in plain_words()]
    return plain[0] if len(plain) == 1 else None


def _without(names: list[str], dropped: set[str] | frozenset[str]) -> list[tuple[list[str], list[str]]]:
    """(words, kept words) of each name, the kept ones without the words in `dropped`."""
    pairs = []
    for name in names:
        words = phrase_key(name).split()
        pairs.append((words, [w for w in words if w not in dropped]))
    return pairs


def _short_names(names: list[str], category_words: set[str]) -> list[str]:
    """'Pizza Margherita' in category 'Pizzas' is also just 'margherita'."""
    return [" ".join(kept) for words, kept in _without(names, category_words) if kept and len(kept) < len(words)]


def _reworded_names(names: list[str]) -> list[str]:
    """'Croquetas de jamón' is also 'croquetas jamon'; 'Paneer Tikka' also 'tikka paneer': the name without
    its function words ('de', 'con', 'the': fillers of some lexicon), and two content words swapped."""
    out: list[str] = []
    for words, content in _without(names, all_fillers()):
        if content and len(content) < len(words):
            out.append(" ".join(content))
        if len(content) == 2:
            out.append(f"{content[1]} {content[0]}")
            if content[0].isalpha() and content[1].isalpha():
                out.append(content[0] + content[1])  # "Thums Up" typed "thumsup"
    return out


def split_compounds(item_names: dict[str, list[str]]) -> dict[str, list[str]]:
    """'Cheeseburger' is also 'cheese burger' when both parts are words of the menu's names."""
    words = {w for names in item_names.values() for n in names for w in phrase_key(n).split() if len(w) >= 3}
    out: dict[str, list[str]] = {}
    for item_id, names in item_names.items():
        for name in names:
            for word in phrase_key(name).split():
                for cut in range(3, len(word) - 2):
                    if word[:cut] in words and word[cut:] in words:
                        out.setdefault(item_id, []).append(phrase_key(name).replace(word, f"{word[:cut]} {word[cut:]}"))
    return out


def counted_variant(item: MenuItem, count: int | None) -> str | None:
    """The variant whose name starts with that number ('6 pieces', '10 wings', '500 ml'), if the item has one."""
    for variant in item.variants:
        first = variant.name.split(maxsplit=1)[0] if variant.name.strip() else ""
        if count is not None and count > 1 and first.isdecimal() and int(first) == count:
            return variant.id
    return None


def sibling_table(item_names: dict[str, list[str]]) -> dict[tuple[str, str], str]:
    """(head word, other word) -> item for names that share a head ('pastel de carne', 'pastel de queijo'):
    '2 pastéis de carne, 1 de queijo' names the sibling by its other word. Pairs two items share are left out."""
    fillers = all_fillers()
    pairs: dict[tuple[str, str], set[str]] = {}
    for item_id, names in item_names.items():
        for name in names:
            content = [w for w in phrase_key(name).split() if w not in fillers]
            if len(content) < 2:
                continue
            for head in {content[0], content[-1]}:
                for word in content:
                    if word != head:
                        pairs.setdefault((head, word), set()).add(item_id)
    return {pair: next(iter(items)) for pair, items in pairs.items() if len(items) == 1}


def ranked_variant(item: MenuItem, rank: int) -> str | None:
    """The variant a generic size word means when the sizes are measures ('300 ml', '500 ml', '700 ml'):
    small the least, large the most, medium the middle of three."""
    measured = []
    for variant in item.variants:
        first = variant.name.split(maxsplit=1)[0] if variant.name.strip() else ""
        if not first.isdecimal():
            return None
        measured.append((int(first), variant.id))
    if len(measured) < 2 or (rank == 1 and len(measured) != 3):
        return None
    measured.sort()
    return measured[{0: 0, 1: 1, 2: -1}[rank]][1]


def shared_heads(own_names: dict[str, list[str]], taken: dict, category_words: set[str]) -> dict[str, list[str]]:
    """head word -> items for a first word several names share and nothing else on the menu names
    ('calzone' of 'Calzone classico' and 'Calzone verdure'): it names any of them, so the customer is asked
    which. Words of any lexicon, short words, category words and heads of many names are left out."""
    known, fillers = set(language_markers()) - kind_words(), all_fillers()
    heads: dict[str, list[str]] = {}
    for item_id, names in own_names.items():
        for name in names:
            words = phrase_key(name).split()
            if len(words) >= 2 and item_id not in heads.get(words[0], []):
                heads.setdefault(words[0], []).append(item_id)
    return {head: items for head, items in heads.items()
            if 2 <= len(items) <= _MAX_SHARED and len(head) >= _MIN_STANDING and not head.isdecimal() and not _names_more(taken.get(head))
            and head not in known and head not in fillers and head not in category_words}
