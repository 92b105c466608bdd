"""Personal data and special-category data kept away from the model provider and the logs."""

from .engine import (
    PolicyViolationError,
    PrivacyConfigurationError,
    PrivacyEngine,
    PrivacySession,
)
from .factory import build_privacy_engine

__all__ = [
    "PolicyViolationError",
    "PrivacyConfigurationError",
    "PrivacyEngine",
    "PrivacySession",
    "build_privacy_engine",
]
