#!/usr/bin/env bash
# quickstart.sh - the README's first command: install what is missing, build,
# and train the default network (784-256-128-10, batch 64, 10 epochs) on
# Fashion-MNIST. One line per epoch on stdout; the loss curve goes to
# results/quickstart/loss.csv. Extra arguments are passed to `mlpbench train`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build
build/mlpbench info >&2
exec build/mlpbench train --data fashion-mnist --log results/quickstart/loss.csv "$@"
