"""Recognisers that work without an NLP model: names and street addresses from their context,
a deny-list of known names, and an e-mail recogniser that never goes online.

Presidio finds e-mails, phone numbers, IBANs, card numbers and IP addresses with patterns and
checksums, but names and addresses need a named-entity model. Without one (the default: nothing
is downloaded), these context patterns catch the common ways a prompt carries them: an
introduction ("my name is …", "je m'appelle …"), a title ("Dr. …", "Frau …"), a greeting or a
signature ("Dear …", "Regards, …"), and a house number next to a street type. A name with no
such context is only found by the deny-list (PII_PERSON_DENY_LIST) or by a spaCy model
(PII_NLP_MODEL, see docs/privacy.md).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import tldextract
from presidio_analyzer import Pattern, PatternRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts
from presidio_analyzer.predefined_recognizers import EmailRecognizer, PhoneRecognizer

# Names are matched case-sensitively (a capital starts each part); the context words are not.
_FLAGS = re.DOTALL | re.MULTILINE
_PART = r"\p{Lu}[\p{L}'\u2019]*\p{L}(?:-\p{Lu}[\p{L}'\u2019]*\p{L})?"
_PARTICLE = r"(?:(?:van|von|der|den|de|da|del|della|di|du|la|le|bin|al|ter)\s+)"
_NAME = rf"{_PART}(?:[ \t]+{_PARTICLE}?{_PART}){{0,3}}"
_INTRODUCTIONS = (
    r"my name is|my name's|name:|i am called|call me|signed|"
    r"je m'appelle|je m\u2019appelle|ich heiße|ich heisse|mein name ist|"
    r"mi chiamo|me llamo|mi nombre es|o meu nome é|mijn naam is"
)
_TITLES = (
    r"Mr|Mrs|Ms|Mx|Miss|Dr|Prof|Sir|Dame|Lord|Lady|Rev|"
    r"Herr|Frau|M|Mme|Mlle|Sig|Sig\.ra|Dott|Sr|Sra|Srta|Dhr|Mevr"
)
_SALUTATIONS = r"dear|hello|hi|regards,|best regards,|kind regards,|sincerely,|cheers,|thanks,"
NAME_PATTERNS = [
    Pattern("introduction", rf"(?<=(?i:\b(?:{_INTRODUCTIONS}))[ \t]+){_NAME}", 0.6),
    Pattern("title", rf"(?<=\b(?:{_TITLES})\.?[ \t]+){_NAME}", 0.6),
    Pattern("salutation", rf"(?<=(?i:\b(?:{_SALUTATIONS}))\s+){_NAME}", 0.5),
]

_STREET_TYPES_EN = (
    r"Street|St|Road|Rd|Avenue|Ave|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Place|Pl|"
    r"Square|Sq|Terrace|Way|Close|Crescent|Gardens|Parkway|Highway|Row|Mews|Hill|Walk"
)
_STREET_WORD = r"\p{Lu}[\p{L}'\u2019.-]*"
_HOUSE = r"\d{1,5}[A-Za-z]?"
ADDRESS_PATTERNS = [
    # 221B Baker Street, 1600 Pennsylvania Avenue NW
    Pattern(
        "number street",
        rf"\b{_HOUSE},?[ \t]+(?:{_STREET_WORD}[ \t]+){{1,4}}(?:{_STREET_TYPES_EN})\b\.?",
        0.6,
    ),
    # 12 rue de la Paix, 8 avenue des Champs-Élysées
    Pattern(
        "numéro rue",
        rf"\b{_HOUSE}(?:[ \t]?(?:bis|ter))?,?[ \t]+"
        r"(?i:rue|avenue|boulevard|bd|place|allée|impasse|chemin|quai|route|cours)[ \t]+"
        r"(?:(?i:de la|de l'|du|des|de|d')[ \t]*)?"
        rf"{_STREET_WORD}(?:[ \t]+{_STREET_WORD}){{0,3}}",
        0.6,
    ),
    # Via Roma 12, Calle Mayor 5, Rua Augusta 27
    Pattern(
        "via numero",
        r"\b(?:Via|Viale|Piazza|Corso|Vicolo|Calle|Avenida|Plaza|Paseo|Rua|Travessa)[ \t]+"
        rf"(?:(?:{_STREET_WORD}|di|del|della|de|la|do|da)[ \t]+){{1,4}}{_HOUSE}\b",
        0.6,
    ),
    # Hauptstraße 5, Kalverstraat 92
    Pattern(
        "straße nummer",
        r"\b\p{Lu}[\p{L}-]*(?:straße|strasse|str\.|weg|gasse|platz|allee|ring|damm|"
        rf"straat|laan|gracht|plein)[ \t]+{_HOUSE}\b",
        0.6,
    ),
]

# E-mails are validated against the public-suffix list bundled with tldextract: Presidio's own
# recogniser calls tldextract's default extractor, which downloads the list on first use.
_OFFLINE_TLD = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


class OfflineEmailRecognizer(EmailRecognizer):
    def analyze(
        self,
        text: str,
        entities: list[str],
        nlp_artifacts: NlpArtifacts | None = None,
        regex_flags: int | None = None,
    ) -> list[RecognizerResult]:
        if "@" not in text:  # no address without one: skip the patterns (most prompts)
            return []
        return super().analyze(text, entities, nlp_artifacts, regex_flags)

    def validate_result(self, pattern_text: str) -> bool:
        return _OFFLINE_TLD(pattern_text).fqdn != ""


class PhoneNumberRecognizer(PhoneRecognizer):
    """Presidio's phone recogniser without the short matches libphonenumber accepts for some
    regions ("1689" in "Regulation (EU) 2024/1689"): a phone number has at least 7 digits."""

    MIN_DIGITS = 7

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        if sum(c.isdigit() for c in text) < self.MIN_DIGITS:
            return []  # libphonenumber scans the text once per region: skip text without a number
        # Presidio declares `nlp_artifacts: NlpArtifacts = None`; the phone recogniser ignores it.
        results = super().analyze(text, entities, nlp_artifacts)  # type: ignore[arg-type]
        return [
            r for r in results if sum(c.isdigit() for c in text[r.start : r.end]) >= self.MIN_DIGITS
        ]


def offline_recognizers(language: str, person_deny_list: Sequence[str]) -> list[PatternRecognizer]:
    """Names, street addresses and e-mails, without an NLP model or a network."""
    recognizers = [
        PatternRecognizer(
            "PERSON",
            name="PersonContextRecognizer",
            patterns=NAME_PATTERNS,
            supported_language=language,
            global_regex_flags=_FLAGS,
        ),
        PatternRecognizer(
            "STREET_ADDRESS",
            name="StreetAddressRecognizer",
            patterns=ADDRESS_PATTERNS,
            supported_language=language,
            global_regex_flags=_FLAGS,
        ),
        OfflineEmailRecognizer(supported_language=language),
    ]
    if person_deny_list:
        recognizers.append(
            PatternRecognizer(
                "PERSON",
                name="PersonDenyListRecognizer",
                deny_list=list(person_deny_list),
                supported_language=language,
            )
        )
    return recognizers
