#!/usr/bin/env bash
# Drift gate: fails when the committed dist/ (and generated docs/) is not what `npm run synth` produces now,
# and prints the difference. GitOps applies dist/ as committed, so a stale dist/ would ship the wrong cluster.
set -euo pipefail
cd "$(dirname "$0")/.."
node scripts/synth.js
drift=$(git status --porcelain --untracked-files=all -- dist docs)
if [ -n "$drift" ]; then
  echo "dist/ differs from a fresh synth: run \`npm run synth\` and commit the result." >&2
  echo "$drift" >&2
  git --no-pager diff --stat -- dist docs >&2
  git --no-pager diff -- dist docs >&2
  exit 1
fi
echo "dist/ is what \`npm run synth\` produces."
