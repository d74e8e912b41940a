#!/usr/bin/env node
// Runs the TypeScript CLI directly through tsx, so that `cdktf deploy`'s local-exec works from a
// fresh clone after `npm ci` with no build step and no global install.
"use strict";
require("tsx/cjs");
require("../cli/main.ts");
