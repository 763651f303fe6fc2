"""Free text that people write into the registry — an order's reference, authority,
requester, legal basis and notice; the reason of a lift or an allow-list entry; a token's
label; who made a change — checked the same way whether it comes from the CLI, the API
or the web UI, before anything is stored.

- **Control characters are refused.** A NUL was stored raw on SQLite and failed on
  PostgreSQL (its text cannot hold one); the others have no place in a court reference.
  Text that may span lines (a legal basis, a notice) keeps tab, line feed and carriage
  return; one-line fields keep none.
- **Lone surrogates are refused**: JSON can carry them, no database encoding can.
- **Bidirectional formatting characters are refused** (embeddings, overrides, isolates
  and the LRM/RLM/ALM marks): an override can make a reference or a name read backwards
  on the public register, text that differs from what is stored and signed. Right-to-left
  text itself is accepted; HTML pages also strip these characters from whatever they show
  (`arret.web.pages`), for text stored before this check.
- **Lengths are bounded**, so that one order cannot make the public register (shown to
  every visitor) megabytes long.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

#: Bidirectional formatting characters (Unicode UAX #9): LRE, RLE, PDF, LRO, RLO; LRI,
#: RLI, FSI, PDI; LRM, RLM; ALM.
BIDI_CONTROLS = frozenset(
    [chr(c) for c in range(0x202A, 0x202F)]
    + [chr(c) for c in range(0x2066, 0x206A)]
    + ["\u200e", "\u200f", "\u061c"]
)
_MULTILINE_ALLOWED = frozenset("\t\n\r")


@dataclass(frozen=True)
class Field:
    """What a free-text field may hold."""

    label: str
    max_length: int
    multiline: bool = False


REFERENCE = Field("reference", 200)
AUTHORITY = Field("authority", 200)
REQUESTER = Field("requester", 200)
LEGAL_BASIS = Field("legal_basis", 4000, multiline=True)
NOTICE = Field("notice", 4000, multiline=True)
REASON = Field("reason", 1000)
LABEL = Field("label", 200)
#: Who made a change: `--actor`, or a token's label with its id and role.
ACTOR = Field("actor", 300)


def _named(char: str) -> str:
    return f"U+{ord(char):04X} ({unicodedata.name(char, 'control character')})"


def problems(field: Field, value: str) -> list[str]:
    """Every reason `value` cannot be stored in `field` (none: it can)."""
    found: list[str] = []
    if len(value) > field.max_length:
        found.append(
            f"{field.label}: {len(value)} characters, more than the {field.max_length} allowed"
        )
    for position, char in enumerate(value, 1):
        category = unicodedata.category(char)
        if category == "Cc" and not (field.multiline and char in _MULTILINE_ALLOWED):
            where = "" if field.multiline else " (it is one line of text)"
            found.append(
                f"{field.label}: a control character {_named(char)} at character {position}"
                f"{where}; remove it"
            )
        elif category == "Cs":
            found.append(
                f"{field.label}: an unpaired surrogate U+{ord(char):04X} at character "
                f"{position} is not text"
            )
        elif char in BIDI_CONTROLS:
            found.append(
                f"{field.label}: a bidirectional formatting character {_named(char)} at "
                f"character {position} could make it read differently from what is stored; "
                "remove it"
            )
        else:
            continue
        break  # one reason per field is enough to fix it; the rest are alike
    return found


def check(*fields: tuple[Field, str]) -> list[str]:
    """The reasons of every field at once."""
    return [reason for field, value in fields for reason in problems(field, value)]


def strip_bidi(text: str) -> str:
    """`text` without bidirectional formatting characters (for display)."""
    return text.translate(_STRIP)


_STRIP = {ord(c): None for c in BIDI_CONTROLS}
