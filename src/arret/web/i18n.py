"""English and French for the web UI. The language is the visitor's choice (the `lang`
cookie, set by the switch on every page), else the first of `Accept-Language` that we
speak, else English.

Messages are gettext catalogues: the English text is the message id, and
`locale/<language>/LC_MESSAGES/messages.po` gives each its translation, read with Babel
when a page in that language is first made. A message missing from a catalogue shows in
English; a test extracts every message of the templates and modules (as `pybabel extract
-F babel.cfg` does) and requires each to have its French, and no French to be left over.

Reasons written by the registry (why an order is refused) come from the domain in
English and are shown as they are, in both languages.
"""

from __future__ import annotations

import gettext as _gettext
from functools import cache
from io import BytesIO
from pathlib import Path

LANGUAGES = ("en", "fr")
#: Where the catalogues are: `<language>/LC_MESSAGES/messages.po`.
LOCALES = Path(__file__).parent / "locale"


def N_(message: str) -> str:
    """Marks a message for extraction where it is translated later, from a variable."""
    return message


#: Messages the templates translate from a value (`_(o.status)`, `_(t.scope)`…): an
#: order's status, an event's kind, a target's scope and action.
VALUES = (
    N_("scheduled"), N_("in-force"), N_("expired"), N_("lifted"),
    N_("registered"), N_("amended"),
    N_("subtree"), N_("exact"),
    N_("nxdomain"), N_("nodata"), N_("notice"),
)  # fmt: skip


def choose(cookie: str | None, accept_language: str | None) -> str:
    """The cookie if it names a language we speak, else the best of Accept-Language."""
    if cookie in LANGUAGES:
        return cookie
    best, best_q = "en", -1.0
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        # Earlier entries win ties (RFC 9110 §12.5.4 leaves ties to the server).
        if primary in LANGUAGES and q > 0 and q - position * 1e-6 > best_q:
            best, best_q = primary, q - position * 1e-6
    return best


@cache
def translations(lang: str) -> _gettext.NullTranslations:
    """The catalogue of `lang` (English: the messages themselves)."""
    if lang not in LANGUAGES or lang == "en":
        return _gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with (LOCALES / lang / "LC_MESSAGES" / "messages.po").open("rb") as source:
        catalog = read_po(source, locale=lang)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return _gettext.GNUTranslations(compiled)


def gettext(lang: str, message: str) -> str:
    return translations(lang).gettext(message)


#: How a contest's standing, state and decision read: `_(labels.standing[value])`.
CONTEST_LABELS = {
    "standing": {
        "owner": N_("the site's owner"),
        "host": N_("its host or CDN"),
        "user": N_("someone who uses the site"),
        "other": N_("someone else"),
    },
    "state": {
        "pending": N_("pending"),
        "upheld": N_("upheld: the block stays"),
        "removed": N_("removed: the name is no longer blocked"),
        "allowed": N_("allow-listed: the name is no longer blocked"),
        "referred": N_("referred to the court that issued the order"),
    },
    "decide": {
        "upheld": N_("Uphold the block"),
        "removed": N_("Remove the name from the orders that block it"),
        "allowed": N_("Allow-list the name (a bystander)"),
        "referred": N_("Refer to the court that issued the order"),
    },
}
