"""The template's option space, read from copier.yml, and the configurations the tests render.

Nothing here lists a question or a choice by hand: the questions with ``choices`` (one answer),
the ``bool`` questions and the multiselect ``compliance`` come from ``copier.yml``, so a new
choice is covered by every test as soon as it is added. Three pieces of knowledge live here:

* **relevance** -- the questions' own ``when`` expressions, evaluated with Jinja in question order
  (a hidden question takes its default, as in Copier), so irrelevant questions are dropped;
* **validity** -- ``problems()`` / ``is_valid()``, one Python mirror of the ``validator``s.
  ``tests/test_matrix.py`` renders a sample through the real Copier engine and checks that Copier
  refuses exactly what this function refuses, so the two cannot drift apart silently;
* **selection** -- the pairwise covering array (a greedy search over the whole valid space, a
  multiselect counted as one yes/no factor per choice), the one-answer-changed set (every value of
  every question, each as close to the defaults as validity allows) and the full enumeration used
  to prove coverage.

A *configuration* is a dict holding only the relevant matrix answers; free-form questions (names,
KPI numbers) keep their defaults unless a test passes them explicitly.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta
import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
COPIER_YML = ROOT / "copier.yml"

NOT_ASKED = None  # placeholder value of an irrelevant question inside a pairwise row

_TRUE = {"true", "yes", "y", "on", "t", "1"}
_JINJA = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)


@dataclass(frozen=True)
class Question:
    name: str
    kind: str  # "choice" | "bool" | "multiselect" | "free"
    values: tuple[Any, ...]  # the matrix values; () for free-form questions
    default: Any
    when: Any  # True when the question is always asked
    when_vars: tuple[str, ...]  # the answers its `when` reads

    @property
    def in_matrix(self) -> bool:
        return self.kind != "free"

    @property
    def conditional(self) -> bool:
        return self.when is not True


def _choice_values(choices: Any) -> list[Any]:
    if isinstance(choices, Mapping):
        return list(choices.values())
    return [c[1] if isinstance(c, list | tuple) else c for c in choices]


def representative_subsets(values: Sequence[Any]) -> tuple[tuple[Any, ...], ...]:
    """The multiselect answers worth rendering: none, each one alone, all of them."""
    return ((), *((v,) for v in values), tuple(values))


@cache
def load_questions() -> tuple[Question, ...]:
    """Every question of copier.yml, in the order Copier asks them."""
    data = yaml.safe_load(COPIER_YML.read_text(encoding="utf-8"))
    questions = []
    for name, spec in data.items():
        if name.startswith("_"):
            continue
        if not isinstance(spec, Mapping):
            spec = {"default": spec}
        when = spec.get("when", True)
        when_vars: tuple[str, ...] = ()
        if isinstance(when, str):
            when_vars = tuple(sorted(jinja2.meta.find_undeclared_variables(_JINJA.parse(when))))
        if spec.get("multiselect"):
            kind, values = "multiselect", representative_subsets(_choice_values(spec["choices"]))
        elif "choices" in spec:
            kind, values = "choice", tuple(_choice_values(spec["choices"]))
        elif spec.get("type") == "bool":
            kind, values = "bool", (False, True)
        else:
            kind, values = "free", ()
        default = spec.get("default")
        if kind == "multiselect":
            default = tuple(default or ())
        questions.append(Question(name, kind, values, default, when, when_vars))
    return tuple(questions)


def matrix_questions() -> tuple[Question, ...]:
    return tuple(q for q in load_questions() if q.in_matrix)


@cache
def question(name: str) -> Question:
    return next(q for q in load_questions() if q.name == name)


# --------------------------------------------------------------------------- relevance
@cache
def _render(template: str, frozen: tuple[tuple[str, Any], ...]) -> str:
    return _JINJA.from_string(template).render(dict(frozen))


def _frozen(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _default(q: Question, context: Mapping[str, Any]) -> Any:
    default = q.default
    if isinstance(default, str) and "{{" in default and q.kind != "free":
        names = jinja2.meta.find_undeclared_variables(_JINJA.parse(default))
        return _render(default, tuple(sorted((n, _frozen(context[n])) for n in names)))
    return default


def _asked(q: Question, context: Mapping[str, Any]) -> bool:
    if q.when is True or q.when is False:
        return q.when
    if not isinstance(q.when, str):
        return bool(q.when)
    frozen = tuple((n, _frozen(context[n])) for n in q.when_vars)
    return _render(q.when, frozen).strip().lower() in _TRUE


def relevant_names(answers: Mapping[str, Any]) -> list[str]:
    """The questions Copier asks (and records) for these answers, in order.

    A question that is not asked takes its default, as it does in Copier, so later `when`
    expressions see the same context as in a real run.
    """
    context: dict[str, Any] = {}
    names = []
    for q in load_questions():
        asked = _asked(q, context)
        if asked:
            names.append(q.name)
        given = answers.get(q.name, NOT_ASKED)
        context[q.name] = given if asked and given is not NOT_ASKED else _default(q, context)
    return names


def normalize(answers: Mapping[str, Any]) -> dict[str, Any]:
    """Drop the answers to questions that would not be asked."""
    relevant = set(relevant_names(answers))
    return {k: v for k, v in answers.items() if k in relevant and v is not NOT_ASKED}


# --------------------------------------------------------------------------- validity
_SHADOWED = {"test", "tests", "src", "api", "typing", "logging", "json", "copier"}
Check = Callable[[Any, Mapping[str, Any]], bool]
_VALIDATORS: dict[str, Check] = {}


def _validator(name: str) -> Callable[[Check], Check]:
    def register(func: Check) -> Check:
        _VALIDATORS[name] = func
        return func

    return register


def _number(value: Any, kind: type) -> float | None:
    try:
        number = kind(value)
    except (TypeError, ValueError):
        return None
    return None if isinstance(number, float) and math.isnan(number) else number


@_validator("project_name")
def _project_name(v: Any, a: Mapping[str, Any]) -> bool:
    return bool(re.search(r"^[A-Za-z][A-Za-z0-9 _-]{0,62}$", str(v)))


@_validator("project_slug")
def _project_slug(v: Any, a: Mapping[str, Any]) -> bool:
    return bool(re.search(r"^[a-z][a-z0-9-]{0,62}$", str(v))) and not str(v).endswith("-")


@_validator("package_name")
def _package_name(v: Any, a: Mapping[str, Any]) -> bool:
    return bool(re.search(r"^[a-z][a-z0-9_]{0,62}$", str(v))) and str(v) not in _SHADOWED


@_validator("author_name")
def _author_name(v: Any, a: Mapping[str, Any]) -> bool:
    return bool(str(v).strip())


@_validator("author_email")
def _author_email(v: Any, a: Mapping[str, Any]) -> bool:
    return bool(re.search(r"^[^@ ]+@[^@ ]+[.][^@ ]+$", str(v)))


@_validator("organization")
def _organization(v: Any, a: Mapping[str, Any]) -> bool:
    return bool(str(v).strip())


@_validator("self_hosted_model")
def _self_hosted_model(v: Any, a: Mapping[str, Any]) -> bool:
    return bool(re.search(r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,79}$", str(v)))


@_validator("hosting")
def _hosting(v: Any, a: Mapping[str, Any]) -> bool:
    self_hosted_llm = (
        a.get("use_case", "rag_assistant") != "tabular_ml"
        and a.get("model_source", "external_api") == "self_hosted"
    )
    return not (v == "serverless" and self_hosted_llm)


@_validator("cloud")
def _cloud(v: Any, a: Mapping[str, Any]) -> bool:
    return not (
        v == "on_prem" and a.get("hosting", "kubernetes") in ("serverless", "gpu_on_demand")
    )


@_validator("orchestrator")
def _orchestrator(v: Any, a: Mapping[str, Any]) -> bool:
    return not (v == "kubeflow" and a.get("hosting", "kubernetes") == "serverless")


@_validator("secrets_backend")
def _secrets_backend(v: Any, a: Mapping[str, Any]) -> bool:
    return not (v == "cloud_native" and a.get("cloud", "aws") == "on_prem")


@_validator("quality_target")
def _quality_target(v: Any, a: Mapping[str, Any]) -> bool:
    x = _number(v, float)
    return x is not None and 0 < x <= 1


@_validator("latency_p95_ms")
def _latency(v: Any, a: Mapping[str, Any]) -> bool:
    x = _number(v, int)
    return x is not None and 1 <= x <= 600_000


@_validator("availability_slo")
def _availability(v: Any, a: Mapping[str, Any]) -> bool:
    x = _number(v, float)
    return x is not None and 90 <= x < 100


@_validator("cost_per_1k_requests_usd")
def _cost(v: Any, a: Mapping[str, Any]) -> bool:
    x = _number(v, float)
    return x is not None and 0 < x <= 100_000


@_validator("challenger_traffic_percent")
def _challenger(v: Any, a: Mapping[str, Any]) -> bool:
    x = _number(v, int)
    return x is not None and 1 <= x <= 50


def problems(answers: Mapping[str, Any]) -> list[str]:
    """The questions whose validator refuses these answers, in question order.

    Mirrors Copier: a validator runs for every answer that is given (even to a question that is
    then not asked), and an answer that is not given takes its default (which is valid). Other
    answers a rule reads fall back to their defaults, as they do in Copier.
    """
    failed = []
    for q in load_questions():
        check = _VALIDATORS.get(q.name)
        given = answers.get(q.name, NOT_ASKED)
        if check is not None and given is not NOT_ASKED and not check(given, answers):
            failed.append(q.name)
    return failed


def is_valid(answers: Mapping[str, Any]) -> bool:
    """True when Copier accepts these answers (see ``problems``)."""
    return not problems(answers)


def questions_with_validator() -> set[str]:
    data = yaml.safe_load(COPIER_YML.read_text(encoding="utf-8"))
    return {n for n, s in data.items() if isinstance(s, Mapping) and "validator" in s}


# --------------------------------------------------------------------------- enumeration
@dataclass(frozen=True)
class _Prefix:
    """Copier's state after the first questions of a pairwise row were answered."""

    context: dict[str, Any]  # every answer so far, defaults for the questions not asked
    given: dict[str, Any]  # the answers of the asked matrix questions
    position: int  # index in load_questions() of the next question


_ROOT_PREFIX = _Prefix({}, {}, 0)


def _advance(state: _Prefix, value: Any) -> _Prefix | None:
    """Answer the next matrix question with ``value`` (NOT_ASKED when it must be skipped).

    Returns None when the value contradicts relevance (a value for a question that is not asked,
    or none for one that is) or is refused by the question's validator.
    """
    questions = load_questions()
    context = dict(state.context)
    position = state.position
    while not questions[position].in_matrix:  # free-form questions keep their defaults
        q = questions[position]
        context[q.name] = _default(q, context)
        position += 1
    q = questions[position]
    asked = _asked(q, context)
    if asked == (value is NOT_ASKED):
        return None
    given = state.given
    if asked:
        check = _VALIDATORS.get(q.name)
        if check is not None and not check(value, context):
            return None
        given = {**given, q.name: value}
        context[q.name] = value
    else:
        context[q.name] = _default(q, context)
    return _Prefix(context, given, position + 1)


def _candidates(q: Question) -> tuple[Any, ...]:
    return (*q.values, NOT_ASKED) if q.conditional else q.values


@cache
def all_configurations() -> tuple[dict[str, Any], ...]:
    """Every valid configuration of the matrix questions (irrelevant ones dropped)."""
    qs = matrix_questions()
    out: list[dict[str, Any]] = []

    def walk(state: _Prefix, depth: int) -> None:
        if depth == len(qs):
            out.append(state.given)
            return
        for value in _candidates(qs[depth]):
            child = _advance(state, value)
            if child is not None:
                walk(child, depth + 1)

    walk(_ROOT_PREFIX, 0)
    return tuple(out)


@cache
def _order() -> dict[str, int]:
    return {q.name: i for i, q in enumerate(load_questions())}


def members(q: Question) -> tuple[Any, ...]:
    """The choices of a multiselect question (its answers are subsets of them)."""
    return q.values[-1] if q.kind == "multiselect" else ()


def factors(config: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """A configuration's answers as pairwise factors, in question order.

    A multiselect answer is one yes/no factor per choice (``("compliance:gdpr", True)``), so the
    pairs hold every regime in and out next to every other answer and next to every other regime;
    any other answer is its own factor.
    """
    order = _order()
    out: list[tuple[str, Any]] = []
    for name, value in sorted(config.items(), key=lambda kv: order[kv[0]]):
        if question(name).kind == "multiselect":
            out.extend((f"{name}:{m}", m in value) for m in members(question(name)))
        else:
            out.append((name, value))
    return out


def pairs_of(config: Mapping[str, Any]) -> Iterator[tuple[tuple[str, Any], tuple[str, Any]]]:
    """The pairs of factors (see ``factors``) a configuration covers, in question order."""
    yield from itertools.combinations(factors(config), 2)


Factors = list[tuple[str, Any]]


def _factor_index(held: Sequence[Factors]) -> dict[tuple[str, Any], int]:
    """Every factor of these configurations (``factors`` of each), in question, choice order."""
    order = _order()
    seen = {f for fs in held for f in fs}

    def rank(f: tuple[str, Any]) -> tuple[int, int, str]:
        name, _, choice = f[0].partition(":")
        q = question(name)
        return order[name], members(q).index(choice) if choice else 0, repr(f[1])

    return {f: i for i, f in enumerate(sorted(seen, key=rank))}


def _factor_vectors(held: Sequence[Factors], index: Mapping[tuple[str, Any], int]) -> np.ndarray:
    """One 0/1 row per configuration, one column per factor of ``index``."""
    out = np.zeros((len(held), len(index)), dtype=np.int64)
    for i, fs in enumerate(held):
        out[i, [index[f] for f in fs]] = 1
    return out


@cache
def valid_pairs() -> frozenset[tuple[tuple[str, Any], tuple[str, Any]]]:
    """Every pair of factors (see ``factors``) that some valid configuration holds."""
    held = [factors(config) for config in all_configurations()]
    index = _factor_index(held)
    x = _factor_vectors(held, index)
    names = list(index)
    together = np.triu(x.T @ x, 1)  # how many configurations hold both factors
    return frozenset((names[a], names[b]) for a, b in zip(*np.nonzero(together), strict=True))


def _group_names() -> tuple[str, ...]:
    """The multiselect questions and the questions whose relevance reads them (ai_act_risk)."""
    group = {q.name for q in matrix_questions() if q.kind == "multiselect"}
    for q in matrix_questions():
        if set(q.when_vars) & group:
            group.add(q.name)
    return tuple(q.name for q in matrix_questions() if q.name in group)


def _group_parts() -> list[dict[str, Any]]:
    """Every answer to the multiselect group: each subset of the choices, with its dependents."""
    context: dict[str, Any] = {}
    for q in load_questions():
        context[q.name] = _default(q, context)
    parts: list[dict[str, Any]] = [{}]
    for name in _group_names():
        q = question(name)
        grown = []
        for part in parts:
            if q.kind == "multiselect":
                choices = members(q)
                grown += [
                    {**part, name: chosen}
                    for n in range(len(choices) + 1)
                    for chosen in itertools.combinations(choices, n)
                ]
            elif _asked(q, {**context, **part}):
                grown += [{**part, name: v} for v in q.values]
            else:
                grown.append(part)
        parts = grown
    return parts


@cache
def pairwise_configurations() -> tuple[dict[str, Any], ...]:
    """A pairwise covering array of the relevant, valid answers (multiselects as yes/no factors).

    Greedy, in the manner of AETG and PICT: every row is the valid configuration covering the most
    pairs that no earlier row covers, searched over the whole valid space: every configuration of
    the other questions (``all_configurations`` without the multiselect group) times every subset
    of the multiselect's choices with the questions that depend on it. The first rows are the
    defaults, then the best row with no regime and the best with all of them (extremes worth a
    full check of their own); rows the others make redundant are dropped at the end. numpy does the
    counting: a row's new pairs are ``x·M·x / 2`` for its 0/1 factor vector ``x`` and the 0/1
    matrix ``M`` of the pairs still missing.

    This needs the other questions' relevance and validity not to read the multiselect group
    (true of copier.yml; ``tests/test_matrix.py`` checks every row with ``is_valid``).
    """
    group = _group_names()
    if any(set(q.when_vars) & set(group) for q in matrix_questions() if q.name not in group):
        raise RuntimeError(f"a question outside {group} is asked depending on them")
    bases: dict[tuple[tuple[str, Any], ...], int] = {}
    for config in all_configurations():
        bases.setdefault(tuple((k, v) for k, v in config.items() if k not in group), len(bases))
    base_configs = [dict(b) for b in bases]
    parts = _group_parts()

    base_held, part_held = [factors(c) for c in base_configs], [factors(p) for p in parts]
    index = _factor_index(base_held + part_held)
    base_x, part_x = _factor_vectors(base_held, index), _factor_vectors(part_held, index)
    wanted = np.zeros((len(index), len(index)), dtype=np.int64)
    for a, b in valid_pairs():
        wanted[index[a], index[b]] = wanted[index[b], index[a]] = 1
    missing = wanted.copy()
    chosen: list[tuple[int, int]] = []

    def take(i: int, j: int) -> None:
        chosen.append((i, j))
        f = np.flatnonzero(base_x[i] + part_x[j])
        missing[np.ix_(f, f)] = 0

    def best(allowed: np.ndarray) -> tuple[int, int]:
        base_m, part_m = base_x @ missing, part_x @ missing
        gain = (
            (base_m * base_x).sum(axis=1)[:, None] // 2
            + base_m @ part_x.T
            + (part_m * part_x).sum(axis=1)[None, :] // 2
        )
        gain[:, ~allowed] = -1
        # ties go to the row nearest to the defaults (fewer rare, costly answers in filler rows)
        score = gain * (len(index) + 1) - base_far[:, None] - part_far[None, :]
        i, j = np.unravel_index(int(np.argmax(score)), score.shape)
        return int(i), int(j)

    defaults = default_configuration()
    base_default = {k: v for k, v in defaults.items() if k not in group}
    part_default = {k: v for k, v in defaults.items() if k in group}
    base_far = np.array([_distance(b, base_default) for b in base_configs])
    part_far = np.array([_distance(p, part_default) for p in parts])
    take(bases[tuple(base_default.items())], parts.index(part_default))
    multiselect = group[0]
    sizes = np.array([len(p[multiselect]) for p in parts])
    for size in (0, sizes.max()):
        take(*best(sizes == size))
    while missing.any():
        take(*best(np.ones(len(parts), dtype=bool)))

    # Drop the rows (never the first three) whose every pair another row covers too.
    counts = np.zeros_like(wanted)
    held = {row: np.flatnonzero(base_x[row[0]] + part_x[row[1]]) for row in chosen}
    for f in held.values():
        counts[np.ix_(f, f)] += 1
    for row in sorted(chosen[3:], key=lambda r: len(held[r])):
        f = held[row]
        if np.all(counts[np.ix_(f, f)] * wanted[np.ix_(f, f)] != 1):
            counts[np.ix_(f, f)] -= 1
            chosen.remove(row)
    return tuple(normalize({**base_configs[i], **parts[j]}) for i, j in chosen)


def _distance(config: Mapping[str, Any], defaults: Mapping[str, Any]) -> int:
    keys = set(config) | set(defaults)
    return sum(config.get(k, NOT_ASKED) != defaults.get(k, NOT_ASKED) for k in keys)


@cache
def default_configuration() -> dict[str, Any]:
    """The configuration `copier copy --defaults` produces."""
    answers: dict[str, Any] = {}
    for q in matrix_questions():
        answers[q.name] = _default(q, answers)
    return normalize(answers)


@cache
def one_value_configurations() -> tuple[dict[str, Any], ...]:
    """Every value of every question, each in the valid configuration nearest to the defaults.

    A failure here points at one answer (and whatever it requires), which makes it easy to route.
    """
    defaults = default_configuration()
    best: dict[tuple[str, Any], tuple[int, dict[str, Any]]] = {}
    for config in all_configurations():
        d = _distance(config, defaults)
        for key in config.items():
            if key not in best or d < best[key][0]:
                best[key] = (d, config)
    chosen: list[dict[str, Any]] = []
    for q in matrix_questions():
        for value in q.values:
            config = best[(q.name, value)][1]
            if config not in chosen:
                chosen.append(config)
    return tuple(chosen)


def as_data(config: Mapping[str, Any]) -> dict[str, Any]:
    """Answers in the form `copier.run_copy(data=...)` takes (multiselect as a list)."""
    return {k: list(v) if isinstance(v, tuple) else v for k, v in config.items()}


_SHORT = {
    "rag_assistant": "rag",
    "llm_service": "llm",
    "tabular_ml": "tab",
    "external_api": "api",
    "self_hosted": "self",
    "github_actions": "gha",
    "gitlab_ci": "glci",
    "gpu_on_demand": "gpu",
    "kubernetes": "k8s",
    "serverless": "sls",
    "cloud_native": "cloudsec",
}


def config_id(config: Mapping[str, Any]) -> str:
    """A short, readable test id: the use case and every answer that differs from the default."""
    defaults = default_configuration()
    parts = [_SHORT.get(config["use_case"], config["use_case"])]
    for name, value in config.items():
        if name == "use_case" or defaults.get(name, NOT_ASKED) == value:
            continue
        if isinstance(value, tuple):
            text = "+".join(value) if value else "none"
        elif isinstance(value, bool):
            text = f"{name}={'yes' if value else 'no'}"
        else:
            text = _SHORT.get(value, str(value))
        parts.append(text)
    return "-".join(parts)


# Questions whose answers change what is deployed, and so what `make infra-check` checks.
INFRA_QUESTIONS = (
    "use_case",
    "model_source",
    "self_hosted_runtime",
    "hosting",
    "cloud",
    "ci_provider",
    "secrets_backend",
    "orchestrator",  # Airflow DAGs / Kubeflow pipelines are checked by make infra-check
)


@cache
def infra_configurations() -> tuple[dict[str, Any], ...]:
    """Rows of the pairwise set that together cover every valid pair of the infra questions.

    The pairwise set holds every valid pair of every question, so a subset of its rows covers
    the pairs among ``INFRA_QUESTIONS``; it is chosen greedily (the row covering most missing
    pairs first), so no new kind of project is rendered.
    """

    def infra_pairs(config: Mapping[str, Any]) -> set[Any]:
        return {
            p for p in pairs_of(config) if p[0][0] in INFRA_QUESTIONS and p[1][0] in INFRA_QUESTIONS
        }

    wanted = {p for p in valid_pairs() if p[0][0] in INFRA_QUESTIONS and p[1][0] in INFRA_QUESTIONS}
    pool = list(pairwise_configurations())
    chosen: list[dict[str, Any]] = []
    missing = set(wanted)
    while missing:
        best = max(pool, key=lambda c: len(missing & infra_pairs(c)))
        if not missing & infra_pairs(best):  # pragma: no cover - pairwise covers every pair
            raise RuntimeError(f"the pairwise set misses infra pairs: {sorted(missing)[:3]}")
        chosen.append(best)
        missing -= infra_pairs(best)
    return tuple(chosen)
