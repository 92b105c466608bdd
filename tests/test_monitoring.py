"""Monitoring answers reach the generated code: the A/B share, the drift threshold, the commands.

The behaviour itself (split, stickiness, drift verdicts, significance tests) is tested inside
every generated project (tests/test_ab.py, tests/test_drift.py).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rendering import derive_profile, render


@pytest.mark.parametrize(
    ("answers", "percent"),
    [
        ({"ab_testing": True, "challenger_traffic_percent": 35}, 35),
        ({"ab_testing": True, "challenger_traffic_percent": 1}, 1),
        ({"ab_testing": False}, 0),
    ],
)
def test_challenger_share_and_drift_threshold_are_the_settings_defaults(
    tmp_path: Path, answers: dict[str, object], percent: int
) -> None:
    project = render(tmp_path / "p", {"use_case": "tabular_ml", **answers})
    settings = (project / "src" / "ai_service" / "settings.py").read_text(encoding="utf-8")
    env_example = (project / ".env.example").read_text(encoding="utf-8")
    threshold = derive_profile(answers)["observability"]["drift_share_threshold"]

    assert re.search(rf"ab_challenger_percent: float = Field\(default={percent}, ", settings)
    assert f"drift_share_threshold: float = Field(default={threshold}, " in settings
    assert f"AB_CHALLENGER_PERCENT={percent}\n" in env_example
    docs = (project / "docs" / "monitoring.md").read_text(encoding="utf-8")
    assert ("generated with an A/B test" in docs) is (percent > 0)
    makefile = (project / "Makefile").read_text(encoding="utf-8")
    assert "\ndrift:" in makefile
    assert "\nab-report:" in makefile
