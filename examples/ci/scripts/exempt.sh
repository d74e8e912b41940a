#!/usr/bin/env bash
# Runs the exempt CLI the way the project installed it: EXEMPT names the command (default
# `npx --no-install exempt`, the devDependency; `node bin/exempt.js` inside Exempt's own repository).
set -euo pipefail
read -r -a command <<< "${EXEMPT:-npx --no-install exempt}"
exec "${command[@]}" "$@"
