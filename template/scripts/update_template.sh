#!/usr/bin/env bash
# Bring the newest template release into this project (`copier update`), all or nothing.
#
#   scripts/update_template.sh [copier update options]    (make update ARGS="...")
#   e.g. make update ARGS="--data latency_p95_ms=500"     change an answer everywhere it is used
#
# `copier update` first renders the new release over the working tree, then merges your changes
# back in. Stopped in between (Ctrl-C, a crash, a full disk), it leaves the working tree without
# your changes; they are still in git, but the tree is a mix. So this script starts only from a
# clean, committed tree and, when copier fails or is interrupted, puts the tree back at the commit
# it started from: nothing is lost and the next run starts clean.
# Conflicts are not failures: copier leaves `<<<<<<<` markers, listed at the end, for you to
# resolve and commit (the pre-commit hooks refuse unresolved markers).
#
# Environment: COPIER, the copier command (the Makefile pins the template's own version).
set -euo pipefail

read -r -a copier <<<"${COPIER:-copier}"

if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  echo "update: not a git repository; commit the project first (copier update merges through git)" >&2
  exit 2
fi
if [ -n "$(git status --porcelain)" ]; then
  echo "update: uncommitted changes; commit or stash them first, so that an interrupted update" >&2
  echo "can be undone without touching them:" >&2
  git status --short >&2
  exit 2
fi
start="$(git rev-parse HEAD)"

restore() {
  trap - INT TERM
  git reset --quiet --hard "$start"
  git clean --quiet -d --force
  echo "update: stopped before it finished; the project is back at $(git rev-parse --short "$start")," >&2
  echo "nothing was lost. Run make update again." >&2
  exit "$1"
}
trap 'restore 130' INT
trap 'restore 143' TERM

if ! "${copier[@]}" update --trust --defaults "$@"; then
  restore 1
fi
trap - INT TERM

mapfile -t unresolved < <(
  git diff --name-only --diff-filter=U
  git ls-files --others --exclude-standard -- '*.rej'
)
if [ "${#unresolved[@]}" -gt 0 ]; then
  echo "update: done, with conflicts between your changes and the template's; resolve them, then commit:" >&2
  printf '  %s\n' "${unresolved[@]}" >&2
else
  echo "update: done; review with git diff, then commit." >&2
fi
