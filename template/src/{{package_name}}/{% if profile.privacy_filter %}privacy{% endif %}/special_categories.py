"""Special categories of personal data (GDPR Art. 9(1)) in prompts, found with Presidio.

A term of a category counts only when the same sentence refers to a person ("I", "my", "she",
"the patient", "my colleague", a capitalised name followed by "has"/"is" …): "I was diagnosed
with diabetes" is health data, "what is diabetes?" is not. This is a keyword heuristic, not a
classifier: it misses paraphrases and may catch an unusual wording. Extend a category with
PII_POLICY_EXTRA_TERMS, or decide per category with PII_POLICY (refuse | redact | allow).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import regex
from presidio_analyzer import Pattern, PatternRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

ENTITY_PREFIX = "SPECIAL_CATEGORY_"

# Terms per category; a trailing \w* lets one stem cover its forms (diagnos → diagnosed).
TERMS: dict[str, list[str]] = {
    "health": [
        r"diagnos\w*",
        r"diabet\w*",
        r"cancer\w*",
        r"tumou?r\w*",
        r"chemotherap\w*",
        r"HIV",
        r"AIDS",
        r"hepatitis",
        r"depress\w*",
        r"anxiety disorder",
        r"bipolar",
        r"schizophreni\w*",
        r"autis\w*",
        r"ADHD",
        r"epilep\w*",
        r"asthma\w*",
        r"dementia",
        r"alzheimer\w*",
        r"parkinson\w*",
        r"pregnan\w*",
        r"miscarriage",
        r"abortion",
        r"disabilit\w*",
        r"disabled",
        r"illness",
        r"disease",
        r"medication",
        r"prescri\w*",
        r"therap(?:y|ist)",
        r"psychiatr\w*",
        r"rehab",
        r"addict\w*",
        r"overdose",
        r"surgery",
        r"blood pressure",
        r"insulin",
        r"antidepressant\w*",
        r"sick leave",
        r"medical (?:record|condition|history)\w*",
        r"heart attack",
    ],
    "religion": [
        r"muslim\w*",
        r"islam\w*",
        r"christian\w*",
        r"catholic\w*",
        r"protestant\w*",
        r"jewish",
        r"jew",
        r"judaism",
        r"hindu\w*",
        r"buddhis\w*",
        r"sikh\w*",
        r"atheis\w*",
        r"agnostic",
        r"mormon\w*",
        r"jehovah'?s witness\w*",
        r"religio\w*",
        r"mosque",
        r"synagogue",
        r"ramadan",
        r"kosher",
        r"halal",
        r"converted to",
    ],
    "political_opinion": [
        r"vot(?:e|es|ed|ing) for",
        r"political (?:view|opinion|party|belief)\w*",
        r"(?:member|supporter) of the \p{Lu}\w* party",
        r"democrat\w*",
        r"republican\w*",
        r"socialis\w*",
        r"communis\w*",
        r"conservative party",
        r"labour party",
        r"green party",
        r"far[- ](?:right|left)",
        r"liberal democrat\w*",
        r"anarchis\w*",
        r"fascis\w*",
    ],
    "sexual_orientation": [
        r"gay",
        r"lesbian\w*",
        r"bisexual\w*",
        r"homosexual\w*",
        r"heterosexual\w*",
        r"queer",
        r"asexual",
        r"pansexual",
        r"LGBT\w*",
        r"sexual orientation",
        r"sex life",
        r"coming out",
        r"came out",
    ],
    "ethnic_origin": [
        r"ethnic\w*",
        r"racial\w*",
        r"gypsy",
        r"aboriginal",
        r"indigenous",
        r"african[- ]american",
        r"hispanic",
        r"latin[oax]",
        r"caucasian",
        r"arab",
    ],
    "trade_union": [
        r"trade union\w*",
        r"labou?r union\w*",
        r"union (?:member|membership|rep)\w*",
        r"shop steward",
        r"unionis\w*",
        r"collective bargaining",
        r"on strike",
    ],
    "biometric_genetic": [
        r"DNA",
        r"genom\w*",
        r"genetic\w*",
        r"BRCA\d?",
        r"fingerprint\w*",
        r"face scan\w*",
        r"facial (?:recognition|geometry|template)\w*",
        r"iris scan\w*",
        r"retina\w* scan\w*",
        r"voiceprint\w*",
        r"biometric\w*",
        r"gene (?:test|variant|mutation)\w*",
    ],
}

# Words that make a sentence about a person.
_PERSONAL = (
    r"i|i'm|i've|i'd|me|my|mine|myself|he|she|him|her|his|hers|himself|herself|"
    r"patient|employee|colleague|client|customer|applicant|candidate|tenant|"
    r"wife|husband|partner|son|daughter|mother|father|brother|sister|child|friend|boss|"
    r"manager|neighbou?r|student"
)
_NOT_A_NAME = (
    r"(?!(?:What|Who|Whom|Whose|Why|How|When|Where|Which|This|That|These|Those|It|There|Here|"
    r"The|An?|Is|Are|Can|Could|Should|Would|Does|Do|Did|Please|Today|Yesterday)\b)"
)
_NAMED = (
    rf"{_NOT_A_NAME}\p{{Lu}}\p{{Ll}}+[ \t]+"
    r"(?i:has|had|is|was|suffers|takes|became|joined|votes|voted)"
)
_PERSON_REF = regex.compile(rf"\b(?i:{_PERSONAL})\b|\b{_NAMED}\b")
_SENTENCE_END = regex.compile(r"[.!?\n]")
_SENTENCE_REACH = 120  # characters around a term searched for a person reference


class SpecialCategoryRecognizer(PatternRecognizer):
    """A category's terms (one pattern), kept only in a sentence that refers to a person."""

    def analyze(
        self,
        text: str,
        entities: list[str],
        nlp_artifacts: NlpArtifacts | None = None,
        regex_flags: int | None = None,
    ) -> list[RecognizerResult]:
        results = super().analyze(text, entities, nlp_artifacts, regex_flags)
        return [r for r in results if _PERSON_REF.search(_sentence(text, r.start, r.end))]


def _sentence(text: str, start: int, end: int) -> str:
    """The sentence around text[start:end], at most _SENTENCE_REACH characters each side."""
    before = text[max(0, start - _SENTENCE_REACH) : start]
    cuts = [m.end() for m in _SENTENCE_END.finditer(before)]
    after = text[end : end + _SENTENCE_REACH]
    stop = _SENTENCE_END.search(after)
    return before[cuts[-1] if cuts else 0 :] + " " + after[: stop.start() if stop else None]


def entity_of(category: str) -> str:
    return ENTITY_PREFIX + category.upper()


def special_category_recognizers(
    language: str, extra_terms: Mapping[str, Sequence[str]]
) -> list[PatternRecognizer]:
    recognizers: list[PatternRecognizer] = []
    for category, terms in TERMS.items():
        extra = [regex.escape(t) for t in extra_terms.get(category, ())]
        term = r"\b(?i:" + "|".join([*terms, *extra]) + r")\b"
        recognizers.append(
            SpecialCategoryRecognizer(
                entity_of(category),
                name=f"SpecialCategory{category.title().replace('_', '')}Recognizer",
                patterns=[Pattern(category, term, 0.7)],
                supported_language=language,
                global_regex_flags=regex.DOTALL | regex.MULTILINE,
            )
        )
    return recognizers


LABELS = {
    "health": "data concerning health",
    "religion": "religious or philosophical beliefs",
    "political_opinion": "political opinions",
    "sexual_orientation": "sex life or sexual orientation",
    "ethnic_origin": "racial or ethnic origin",
    "trade_union": "trade union membership",
    "biometric_genetic": "genetic or biometric data",
}
