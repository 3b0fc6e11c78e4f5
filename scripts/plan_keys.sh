#!/usr/bin/env bash
# Regenerates Tests/Fixtures/plan-keys/ (StageKeyTests) from the release build: run it after a change
# that is meant to re-key stages (a new parameter, a kind version, a figure's text), and say why in
# the commit.
set -euo pipefail
cd "$(dirname "$0")/.."
cellfree=.build/release/cellfree
out=Tests/Fixtures/plan-keys
for m in smoke sweep-example; do "$cellfree" plan "manifests/$m.yaml" --keys > "$out/$m.txt"; done
for m in drops linear-attention maxmin-clustering reproduce tree-transformer; do
  for p in default paper; do "$cellfree" plan "manifests/$m.yaml" --profile "$p" --keys > "$out/$m-$p.txt"; done
done
