"""The privacy filter the settings describe, built once per process (in the app's lifespan)."""

from __future__ import annotations

import logging

from ..settings import PII_MANDATORY_BECAUSE, Settings
from .engine import (
    AnalyzerSpec,
    PrivacyConfigurationError,
    PrivacyEngine,
    build_analyzer,
    resolve_key,
)

logger = logging.getLogger(__name__)

# Entities the filter always looks for when PII protection is mandatory.
BASELINE_ENTITIES = (
    "PERSON",
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "IBAN_CODE",
    "CREDIT_CARD",
    "IP_ADDRESS",
    "STREET_ADDRESS",
)


def build_privacy_engine(settings: Settings) -> PrivacyEngine:
    """The filter of these settings; refuses a configuration that breaks a mandate."""
    if PII_MANDATORY_BECAUSE:
        because = " and ".join(PII_MANDATORY_BECAUSE)
        if not settings.pii_enabled:
            raise PrivacyConfigurationError(
                f"PII_ENABLED=false is refused: PII protection is mandatory for this service "
                f"({because} chosen when it was generated)"
            )
        missing = [e for e in BASELINE_ENTITIES if e not in settings.pii_entities]
        if missing:
            raise PrivacyConfigurationError(
                f"PII_ENTITIES must keep {', '.join(missing)}: PII protection is mandatory for "
                f"this service ({because})"
            )
    entities = settings.pii_entities if settings.pii_enabled else []
    operators = {e: settings.pii_operators.get(e, settings.pii_default_operator) for e in entities}
    key = settings.pii_pseudonym_key.get_secret_value() if settings.pii_pseudonym_key else None
    spec = AnalyzerSpec(
        language=settings.pii_language,
        nlp_model=settings.pii_nlp_model,
        person_deny_list=tuple(settings.pii_person_deny_list),
        phone_regions=tuple(settings.pii_phone_regions),
        extra_terms=tuple(
            (category, tuple(terms))
            for category, terms in sorted(settings.pii_policy_extra_terms.items())
        ),
    )
    analyzer = build_analyzer(spec)
    unknown = sorted(set(entities) - set(analyzer.get_supported_entities(spec.language)))
    if unknown:
        raise PrivacyConfigurationError(
            f"PII_ENTITIES has {', '.join(unknown)}, which no recogniser finds"
            + ("" if spec.nlp_model else " without an NLP model (PII_NLP_MODEL)")
            + f"; supported: {', '.join(sorted(analyzer.get_supported_entities(spec.language)))}"
        )
    engine = PrivacyEngine(
        analyzer,
        language=settings.pii_language,
        entities=entities,
        operators=operators,
        default_operator=settings.pii_default_operator,
        key=resolve_key(
            key,
            environment=settings.environment,
            needs_key=any(op in ("pseudonymise", "hash") for op in operators.values()),
        ),
        policy=settings.pii_policy,
        score_threshold=settings.pii_score_threshold,
        reidentify=settings.pii_reidentify_answers,
    )
    if not settings.pii_enabled:
        logger.warning("PII protection is OFF (PII_ENABLED=false): prompts reach the model as sent")
    logger.info("privacy filter: %s", engine.describe())
    return engine
