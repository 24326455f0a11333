"""Languages of the citizen pages: Vietnamese (the source text, no catalog) and English (a .po catalog).

- Templates mark text with `_()` / `{% trans %}` (jinja2.ext.i18n); the msgid is the Vietnamese text.
- Python messages shown on those pages are `N_("... %(max)s ...", max=200)`: a `Msg`, a `str` whose value is the
  Vietnamese text (so the API, logs and tests keep reading Vietnamese) and which remembers its msgid and
  parameters. Jinja prints it through `__html__`, i.e. translated into the locale of the page being rendered.
- The locale of a page: `?lang=` (remembered in the `pakn_lang` cookie), else that cookie, else Accept-Language,
  else Vietnamese. `render()` in app/web/common.py sets it for the time of rendering (a contextvar).

The catalog is app/locales/en/LC_MESSAGES/messages.po, read at startup; no compiled .mo is kept in the repository.
"""

from __future__ import annotations

from contextvars import ContextVar
from functools import cache
from io import BytesIO

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from markupsafe import Markup, escape
from starlette.requests import Request

from app.config import PROJECT_ROOT

LOCALES = ("vi", "en")
DEFAULT_LOCALE = "vi"
COOKIE = "pakn_lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
LOCALE_DIR = PROJECT_ROOT / "app" / "locales"
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}

_current: ContextVar[str] = ContextVar("pakn_locale", default=DEFAULT_LOCALE)


def catalog_path(locale: str):
    return LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"


@cache
def translations(locale: str) -> NullTranslations:
    """Vietnamese is the source language: no catalog. Others: the .po compiled in memory, once per process."""
    if locale == DEFAULT_LOCALE or locale not in LOCALES:
        return NullTranslations()
    with catalog_path(locale).open("rb") as f:
        catalog = read_po(f, locale=locale)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer, domain="messages")


def current_locale() -> str:
    return _current.get()


def use_locale(locale: str):
    """Sets the locale for what follows in this context; returns the token for `reset_locale`."""
    return _current.set(locale if locale in LOCALES else DEFAULT_LOCALE)


def reset_locale(token) -> None:
    _current.reset(token)


def gettext(message: str) -> str:
    return translations(current_locale()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_locale()).ngettext(singular, plural, n)


def _accepted(header: str) -> str | None:
    """The first supported language of an Accept-Language header, by quality then order."""
    ranked = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        language = tag.strip().lower().split("-")[0]
        if language in LOCALES and quality > 0:
            ranked.append((-quality, position, language))
    return min(ranked)[2] if ranked else None


def requested_locale(request: Request) -> str | None:
    """`?lang=en` / `?lang=vi`, when valid."""
    lang = request.query_params.get("lang", "").lower()
    return lang if lang in LOCALES else None


def locale_for(request: Request) -> str:
    """?lang=, else the pakn_lang cookie, else Accept-Language, else Vietnamese."""
    return (requested_locale(request)
            or (request.cookies.get(COOKIE) if request.cookies.get(COOKIE) in LOCALES else None)
            or _accepted(request.headers.get("accept-language", ""))
            or DEFAULT_LOCALE)


def remember_locale(request: Request, response) -> None:
    """A valid ?lang= is remembered for a year (SameSite=Lax; not HttpOnly, it holds nothing secret)."""
    lang = requested_locale(request)
    if lang:
        response.set_cookie(COOKIE, lang, max_age=COOKIE_MAX_AGE, path="/", samesite="lax",
                            secure=request.url.scheme == "https")


def _format(text: str, params: dict) -> str:
    return text % params if params else text


class Msg(str):
    """A message in Vietnamese (its `str` value) that can be translated when it is shown.

    `params` may themselves be Msg (e.g. a field label); they are translated too. `lower()` keeps it translatable.
    """

    msgid: str
    params: dict
    lowered: bool

    def __new__(cls, msgid: str, params: dict | None = None, lowered: bool = False):
        params = params or {}
        text = _format(msgid, {k: str(v) for k, v in params.items()})
        self = super().__new__(cls, text.lower() if lowered else text)
        self.msgid, self.params, self.lowered = msgid, params, lowered
        return self

    def __reduce__(self):
        return (Msg, (self.msgid, self.params, self.lowered))

    def lower(self) -> Msg:  # type: ignore[override]
        return Msg(self.msgid, self.params, lowered=True)

    def translated(self, locale: str | None = None) -> str:
        locale = locale or current_locale()
        if locale == DEFAULT_LOCALE:
            return str.__str__(self)
        text = _format(translations(locale).gettext(self.msgid),
                       {k: translate(v, locale) for k, v in self.params.items()})
        return text.lower() if self.lowered else text

    def __html__(self) -> Markup:
        return escape(self.translated())


def N_(msgid: str, **params) -> Msg:  # noqa: N802 (the gettext convention; `pybabel extract -k N_`)
    """A translatable message; its value is the Vietnamese text with `params` filled in."""
    return Msg(msgid, params)


def translate(value, locale: str | None = None):
    """A Msg in the given (or current) locale; anything else unchanged."""
    return value.translated(locale) if isinstance(value, Msg) else value
