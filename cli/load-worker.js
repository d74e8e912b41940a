"use strict";
// Loads a large declaration in a worker thread (see loadDeclarationAsync in ./load.ts): the YAML
// parser's document model is released with the worker, before the instances are read.
const { parentPort, workerData } = require("node:worker_threads");
require(workerData.tsx);
const { loadDeclaration } = require("./load.ts");
try {
  parentPort.postMessage({ ok: loadDeclaration(workerData.flags, workerData.io) });
} catch (err) {
  const e = err || {};
  if (e.name === "ConfigError") parentPort.postMessage({ error: { kind: "config", source: e.source, issues: e.issues } });
  else if (e.name === "ManifestError") parentPort.postMessage({ error: { kind: "manifest", file: e.file, message: e.message } });
  else if (e.name === "UsageError") parentPort.postMessage({ error: { kind: "usage", message: e.message } });
  else parentPort.postMessage({ error: { kind: "other", message: e instanceof Error ? e.message : String(e) } });
}
