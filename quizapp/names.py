"""The rules for a name people pick to be shown as (a username now, a live-game nickname later).

Plain Python, no Flask and no database: ``check_name`` takes what was typed and returns either a
``CheckedName`` or the ``NameProblem`` with it.  Whether the name is free is the caller's question
(``users.create_user`` asks the database with the keys computed here).

- **Normalised first, validated after.**  NFKC folds full-width letters, ligatures and the like
  into their plain forms.  Some single characters become many (U+FDFB is 8 characters after
  NFKC), so the length is checked on the normalised name, which is also the one stored.
- **One account per name, whatever its case.**  ``key`` is the NFKC name, case-folded by Python
  (``str.casefold`` knows every script; SQLite's ``lower()`` knows ASCII only, so ``Пётр`` and
  ``пётр`` used to be two accounts).  It is stored in a unique column and every lookup uses it.
- **No look-alikes.**  ``skeleton`` maps every character to the representative of its
  confusable class from Unicode's confusables data (UTS #39), as shipped by the
  ``confusable_homoglyphs`` package, so ``саrol`` (Cyrillic с and а) and ``carol`` share a
  skeleton.  It is stored in a unique column: a name whose skeleton is taken is refused.
- **One script per name.**  A name mixing scripts (Latin with Cyrillic, say) is refused, using
  the package's script data.  Characters common to all scripts (digits, ``.``, ``-``, ``_``)
  mix with any, and the combinations UTS #39 allows at its "highly restrictive" level
  (Japanese: Han, Hiragana and Katakana; Chinese with Bopomofo; Korean with Hangul, each also
  with Latin) are one script for this purpose.
"""
from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from confusable_homoglyphs.categories import unique_aliases
from confusable_homoglyphs.confusables import confusables_data

MIN_LENGTH = 3   # in display width (see display_width)
MAX_LENGTH = 40  # in characters, after NFKC
# Case folding can make a character up to three (U+0390 -> 3), and the skeleton's prototypes
# and decompositions more; the columns are sized for that and a name past them is refused.
MAX_KEY_LENGTH = 3 * MAX_LENGTH
MAX_SKELETON_LENGTH = 255

# Letters and digits of any script, dots, dashes and underscores.
_ALLOWED = re.compile(r"[\w.-]+")

# Scripts that may share a name (UTS #39, section 5.2, "highly restrictive").
_SCRIPT_SETS = (
    frozenset({"LATIN", "HAN", "HIRAGANA", "KATAKANA"}),
    frozenset({"LATIN", "HAN", "BOPOMOFO"}),
    frozenset({"LATIN", "HAN", "HANGUL"}),
)
_ANY_SCRIPT = frozenset({"COMMON", "INHERITED"})


class NameProblem(enum.Enum):
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    CHARACTERS = "characters"
    MIXED_SCRIPTS = "mixed_scripts"


@dataclass(frozen=True)
class CheckedName:
    name: str      # what is stored and shown: NFKC, without surrounding spaces
    key: str       # what must be unique and what lookups compare: the name case-folded
    skeleton: str  # what look-alikes share


def normalise(raw: str) -> str:
    return unicodedata.normalize("NFKC", raw).strip()


def name_key(raw: str) -> str:
    return normalise(raw).casefold()


def check_name(raw: str) -> CheckedName | NameProblem:
    """The name as it will be stored, with its keys, or what is wrong with it."""
    name = normalise(raw)
    if display_width(name) < MIN_LENGTH:
        return NameProblem.TOO_SHORT
    if len(name) > MAX_LENGTH:
        return NameProblem.TOO_LONG
    if not _ALLOWED.fullmatch(name):
        return NameProblem.CHARACTERS
    if is_mixed_script(name):
        return NameProblem.MIXED_SCRIPTS
    key = name.casefold()
    skeleton = name_skeleton(name)
    if len(key) > MAX_KEY_LENGTH or len(skeleton) > MAX_SKELETON_LENGTH:
        return NameProblem.TOO_LONG
    return CheckedName(name, key, skeleton)


def display_width(name: str) -> int:
    """Characters, with the wide ones of East Asian scripts counted twice: 王芳 is a whole
    name, and as wide on screen as three Latin letters."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in name)


def is_mixed_script(name: str) -> bool:
    scripts = unique_aliases(name) - _ANY_SCRIPT
    return len(scripts) > 1 and not any(scripts <= allowed for allowed in _SCRIPT_SETS)


def name_skeleton(raw: str) -> str:
    """Equal for names that look alike: UTS #39's skeleton (NFD, each character to its
    prototype, NFD again), then case-folded.  Mapped before folding, so a capital ``I``
    still looks like ``l``; folded after, so ``0`` (whose prototype is ``O``) looks like
    ``o``, and names that differ only in case share a skeleton as they share a key."""
    decomposed = unicodedata.normalize("NFD", normalise(raw))
    mapped = "".join(_prototype(char) for char in decomposed)
    return unicodedata.normalize("NFD", mapped.casefold())


def _homoglyphs(text: str) -> list[str]:
    # The package writes right-to-left characters between LEFT-TO-RIGHT MARKs (for display).
    return [entry["c"].replace("\u200e", "") for entry in confusables_data.get(text, ())]


@lru_cache(maxsize=4096)
def _prototype(char: str) -> str:
    """The representative of ``char``'s confusable class.

    The package stores Unicode's one-way table (each character -> its prototype) as links
    both ways, so a class is a star: the prototype linked to each character that maps to it.
    The centre is the prototype.  When a class has only two members the links cannot tell
    which is which; a sequence (``rn`` for ``m``) is always the prototype, as the table maps
    single characters only, and otherwise the smaller code point stands for both, which
    makes the two alike all the same."""
    links = _homoglyphs(char)
    if len(links) != 1:
        return char  # not confusable with anything, or the centre of its class
    (other,) = links
    if len(other) > 1 or len(_homoglyphs(other)) > 1:
        return other
    return min(char, other)


__all__ = ["CheckedName", "MAX_LENGTH", "MIN_LENGTH", "NameProblem", "check_name", "display_width", "is_mixed_script",
           "name_key", "name_skeleton", "normalise"]
