"""The tabular model: bundled dataset, typed features, training with a quality gate, loading."""
