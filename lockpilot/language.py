"""The user's language, and operator text in both of the product's languages."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from lockpilot.schema import Strict


class Language(StrEnum):
    """The user's language: Portuguese first, English second."""

    PT = "pt"
    EN = "en"


class Bilingual(Strict):
    """Operator-facing text in both languages, Portuguese first."""

    pt: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def in_(self, language: str) -> str:
        """The text in `language` ("pt" or "en")."""
        return self.pt if language == Language.PT else self.en
