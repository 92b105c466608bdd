"""The MLOps pipeline: ingest -> validate -> prepare -> build -> evaluate -> promote, and rollback.

Every stage is one command, `python -m <package> pipeline <stage>`, run by `dvc repro` (dvc.yaml),
by CI and by the orchestrator alike. Runs are tracked in MLflow; a candidate becomes the
registry's `champion` only when the evaluation gate passes (see gate.py).
"""
