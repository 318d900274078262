#!/bin/sh
# The lint command: Biome's format check and linter (biome.jsonc: warnings fail too), then the
# layers of src/ and imports in circles (.dependency-cruiser.cjs). Both run; either failing fails.
set -u
status=0
biome check --error-on-warnings || status=1
depcruise src --config .dependency-cruiser.cjs --output-type err || status=1
exit "$status"
