"""The privacy filter: personal data out of every text before it leaves the service.

`build_analyzer` makes Presidio's AnalyzerEngine once per process and configuration (it is
cached: the recognisers compile their patterns once). Without PII_NLP_MODEL it runs on
Presidio's NoOpNlpEngine — pattern and checksum recognisers, nothing to download. With
PII_NLP_MODEL (a spaCy pipeline installed in the image, e.g. en_core_web_lg) spaCy's named
entities add PERSON and LOCATION and context words raise the scores of pattern matches.

`PrivacyEngine` holds the policy; a `PrivacySession` applies it to one request: it refuses or
redacts special-category data in the prompt, replaces personal data with the configured
operator, counts what it replaced, and puts pseudonymised values back into the answer.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from presidio_analyzer import AnalyzerEngine, EntityRecognizer, RecognizerRegistry, RecognizerResult
from presidio_analyzer.context_aware_enhancers import ContextAwareEnhancer
from presidio_analyzer.nlp_engine import NlpArtifacts, NlpEngine, NoOpNlpEngine, SpacyNlpEngine
from presidio_analyzer.predefined_recognizers import (
    CreditCardRecognizer,
    IbanRecognizer,
    IpRecognizer,
)
from presidio_anonymizer import AnonymizerEngine
from presidio_anonymizer.entities import OperatorConfig

from .pseudonyms import Pseudonymizer, StreamRestorer
from .recognizers import PhoneNumberRecognizer, offline_recognizers
from .special_categories import ENTITY_PREFIX, TERMS, entity_of, special_category_recognizers

logger = logging.getLogger(__name__)

Operator = Literal["redact", "replace", "mask", "hash", "pseudonymise"]
PolicyAction = Literal["refuse", "redact", "allow"]
CATEGORIES = tuple(TERMS)


class PrivacyConfigurationError(RuntimeError):
    """The privacy settings cannot be honoured; the service does not start."""


class PolicyViolationError(Exception):
    """The prompt carries special-category data that the policy refuses."""

    def __init__(self, categories: Sequence[str]) -> None:
        super().__init__(", ".join(categories))
        self.categories = list(categories)


@dataclass(frozen=True)
class AnalyzerSpec:
    """What the analyzer is built from (hashable: one analyzer per distinct spec)."""

    language: str = "en"
    nlp_model: str = ""
    person_deny_list: tuple[str, ...] = ()
    phone_regions: tuple[str, ...] = ("US", "GB", "DE", "FR", "IT", "ES")
    extra_terms: tuple[tuple[str, tuple[str, ...]], ...] = ()


def _nlp_engine(spec: AnalyzerSpec) -> NlpEngine:
    if not spec.nlp_model:
        return NoOpNlpEngine(models=[{"lang_code": spec.language, "model_name": "none"}])
    import spacy.util

    # SpacyNlpEngine would download a missing model at start-up: refuse instead.
    if not (spacy.util.is_package(spec.nlp_model) or Path(spec.nlp_model).exists()):
        raise PrivacyConfigurationError(
            f"PII_NLP_MODEL={spec.nlp_model} is not installed: bake it into the image "
            "(docker build --build-arg SPACY_MODEL=...) or unset PII_NLP_MODEL to use the "
            "offline pattern recognisers"
        )
    engine = SpacyNlpEngine(models=[{"lang_code": spec.language, "model_name": spec.nlp_model}])
    engine.load()
    return engine


@lru_cache(maxsize=4)
def build_analyzer(spec: AnalyzerSpec) -> AnalyzerEngine:
    """Presidio's analyzer with the recognisers this service uses (built once per spec)."""
    language = spec.language
    recognizers: list[EntityRecognizer] = [
        PhoneNumberRecognizer(
            supported_language=language, supported_regions=list(spec.phone_regions)
        ),
        IbanRecognizer(supported_language=language),
        CreditCardRecognizer(supported_language=language),
        IpRecognizer(supported_language=language),
        *offline_recognizers(language, spec.person_deny_list),
        *special_category_recognizers(language, dict(spec.extra_terms)),
    ]
    nlp_engine = _nlp_engine(spec)
    registry = RecognizerRegistry(recognizers=recognizers, supported_languages=[language])
    if spec.nlp_model:
        registry.add_nlp_recognizer(nlp_engine=nlp_engine)  # PERSON, LOCATION, … from spaCy
    return AnalyzerEngine(
        registry=registry,
        nlp_engine=nlp_engine,
        supported_languages=[language],
        # Without an NLP model there are no tokens to find context words around a match in.
        context_aware_enhancer=None if spec.nlp_model else NoTokensContextEnhancer(),
    )


class NoTokensContextEnhancer(ContextAwareEnhancer):
    """Presidio's context step for the offline engine: it has no tokens, so it would only copy
    the results (and log a line for each); the recognisers' own context patterns still apply."""

    def __init__(self) -> None:
        super().__init__(
            context_similarity_factor=0,
            min_score_with_context_similarity=0,
            context_prefix_count=0,
            context_suffix_count=0,
        )

    def enhance_using_context(
        self,
        text: str,
        raw_results: list[RecognizerResult],
        nlp_artifacts: NlpArtifacts,
        recognizers: list[EntityRecognizer],
        context: list[str] | None = None,
    ) -> list[RecognizerResult]:
        return raw_results


def mask(value: str) -> str:
    """Every letter and digit replaced by '*', except the last four of a long value."""
    keep = 4 if sum(c.isalnum() for c in value) >= 8 else 0
    out: list[str] = []
    for char in reversed(value):
        if char.isalnum() and keep:
            keep -= 1
            out.append(char)
        else:
            out.append("*" if char.isalnum() else char)
    return "".join(reversed(out))


class PrivacyEngine:
    """The service's privacy policy over one Presidio analyzer; shared by all requests."""

    def __init__(
        self,
        analyzer: AnalyzerEngine,
        *,
        language: str,
        entities: Sequence[str],
        operators: Mapping[str, Operator],
        default_operator: Operator,
        key: bytes,
        policy: Mapping[str, PolicyAction],
        score_threshold: float = 0.3,
        reidentify: bool = True,
    ) -> None:
        self.analyzer = analyzer
        self.anonymizer = AnonymizerEngine()  # type: ignore[no-untyped-call]
        self.language = language
        self.entities = list(entities)
        self.operators = {e: operators.get(e, default_operator) for e in self.entities}
        self.key = key
        self.policy = {c: policy.get(c, "allow") for c in CATEGORIES}
        self.score_threshold = score_threshold
        self.reidentify = reidentify
        self.checked_categories = [c for c, a in self.policy.items() if a != "allow"]
        self.prompt_entities = self.entities + [entity_of(c) for c in self.checked_categories]

    @property
    def active(self) -> bool:
        return bool(self.prompt_entities)

    def session(self, tenant: str) -> PrivacySession:
        return PrivacySession(self, tenant)

    def analyze(self, text: str, entities: Sequence[str]) -> list[RecognizerResult]:
        if not entities or not text.strip():
            return []
        return self.analyzer.analyze(
            text,
            language=self.language,
            entities=list(entities),
            score_threshold=self.score_threshold,
        )

    def placeholders(self, text: str) -> str:
        """Personal data replaced by its entity type (`<PERSON>`), for text that the provider
        embeds: no answer comes back to re-identify, and nothing links two requests."""
        results = self.analyze(text, self.entities)
        if not results:
            return text
        operators = {
            r.entity_type: OperatorConfig("replace", {"new_value": f"<{r.entity_type}>"})
            for r in results
        }
        return str(self.anonymizer.anonymize(text, results, operators).text)  # type: ignore[arg-type]

    def describe(self) -> dict[str, object]:
        """What /readyz and the startup log say about the filter (no secrets)."""
        return {
            "entities": self.entities,
            "operators": self.operators,
            "special_categories": {c: a for c, a in self.policy.items() if a != "allow"},
            "nlp_model": getattr(self.analyzer.nlp_engine, "engine_name", "unknown"),
            "reidentify_answers": self.reidentify,
        }


class PrivacySession:
    """The filter applied to one request of one tenant; the token table dies with it."""

    def __init__(self, engine: PrivacyEngine, tenant: str) -> None:
        self.engine = engine
        self.tenant = tenant
        self.pseudonymizer = Pseudonymizer(engine.key, tenant)
        self.redaction_counts: dict[str, int] = {}
        self.policy_decision = "not_checked"
        salt = hmac.new(engine.key, b"hash\x1f" + tenant.encode(), hashlib.sha256)
        self._hash_salt = salt.digest()

    # ------------------------------------------------------------------ prompts
    def protect_prompt(self, texts: Sequence[str]) -> list[str]:
        """The caller's texts with the prompt policy and the PII operators applied.

        Raises PolicyViolationError (and records the decision) when a refused special
        category is present; nothing is replaced then, and nothing of the text is kept.
        """
        engine = self.engine
        analyses = [engine.analyze(text, engine.prompt_entities) for text in texts]
        found = {
            r.entity_type.removeprefix(ENTITY_PREFIX).lower()
            for results in analyses
            for r in results
            if r.entity_type.startswith(ENTITY_PREFIX)
        }
        refused = sorted(c for c in found if engine.policy.get(c) == "refuse")
        if refused:
            self.policy_decision = "refused:" + ",".join(refused)
            raise PolicyViolationError(refused)
        redacted = sorted(c for c in found if engine.policy.get(c) == "redact")
        self.policy_decision = "redacted:" + ",".join(redacted) if redacted else "allowed"
        return [self._apply(t, r) for t, r in zip(texts, analyses, strict=True)]

    def protect(self, text: str) -> str:
        """Personal data replaced (no prompt policy): for retrieved documents."""
        return self._apply(text, self.engine.analyze(text, self.engine.entities))

    # ------------------------------------------------------------------ answers
    def restore(self, text: str) -> str:
        """Pseudonyms in the model's answer mapped back, when the policy allows it."""
        return self.pseudonymizer.restore(text) if self.engine.reidentify else text

    def stream_restorer(self) -> StreamRestorer:
        return StreamRestorer(self.pseudonymizer if self.engine.reidentify else None)

    # ------------------------------------------------------------------ internals
    def _operator(self, entity_type: str) -> OperatorConfig:
        if entity_type.startswith(ENTITY_PREFIX):
            category = entity_type.removeprefix(ENTITY_PREFIX)
            return OperatorConfig("replace", {"new_value": f"<{category}_DATA>"})
        operator = self.engine.operators.get(entity_type, "replace")
        if operator == "pseudonymise":
            pseudonymizer = self.pseudonymizer
            return OperatorConfig(
                "custom", {"lambda": lambda value: pseudonymizer.token(entity_type, value)}
            )
        if operator == "hash":
            return OperatorConfig("hash", {"hash_type": "sha256", "salt": self._hash_salt})
        if operator == "mask":
            return OperatorConfig("custom", {"lambda": mask})
        if operator == "redact":
            return OperatorConfig("redact")
        return OperatorConfig("replace", {"new_value": f"<{entity_type}>"})

    def _apply(self, text: str, results: list[RecognizerResult]) -> str:
        # A special category found here is replaced only if the policy redacts it (a refused
        # one has stopped the request; an allowed one was not looked for).
        results = [
            r
            for r in results
            if not r.entity_type.startswith(ENTITY_PREFIX)
            or self.engine.policy.get(r.entity_type.removeprefix(ENTITY_PREFIX).lower()) == "redact"
        ]
        if not results:
            return text
        operators = {t: self._operator(t) for t in {r.entity_type for r in results}}
        outcome = self.engine.anonymizer.anonymize(text, results, operators)  # type: ignore[arg-type]
        for item in outcome.items:
            self.redaction_counts[item.entity_type] = (
                self.redaction_counts.get(item.entity_type, 0) + 1
            )
        return str(outcome.text)


def resolve_key(secret: str | None, *, environment: str, needs_key: bool) -> bytes:
    """The pseudonym key; a random one (with a warning) outside production when unset."""
    if secret:
        if len(secret.encode()) < 16:
            raise PrivacyConfigurationError("PII_PSEUDONYM_KEY must be at least 16 bytes long")
        return secret.encode()
    if needs_key and environment == "production":
        raise PrivacyConfigurationError(
            "PII_PSEUDONYM_KEY is not set: pseudonyms and hashes need a stable secret key in "
            "production (put it in the secret store)"
        )
    if needs_key:
        logger.warning(
            "PII_PSEUDONYM_KEY is not set: a random key is used, so pseudonyms change when the "
            "service restarts and differ between replicas"
        )
    return secrets.token_bytes(32)
