// Material for MkDocs' own search worker, run under node: the baseline of bench/relevance.py.
//
//   node bench/material_search.cjs WORKER.min.js SEARCH_INDEX.json [suggest]
//
// Loads the worker bundle that the installed mkdocs-material ships (lunr.js 2.3.9 plus Material's
// tokenizer, query transform, post-query boosts and grouping by page), hands it the
// search_index.json of a real `mkdocs build` exactly as the browser does (a SETUP message), then
// answers one query per stdin line (JSON string) with one stdout line: the result groups in
// Material's order, each as its items' [location, score], best item first.
"use strict";

const fs = require("fs");
const readline = require("readline");
const vm = require("vm");

const [bundle, indexPath, suggest] = process.argv.slice(2);
if (!bundle || !indexPath) {
  console.error("usage: node material_search.cjs WORKER.min.js SEARCH_INDEX.json [suggest]");
  process.exit(2);
}

// The few Web Worker globals the bundle touches; it never imports scripts for English.
let onMessage = null;
let reply = null;
globalThis.self = globalThis;
globalThis.addEventListener = (type, listener) => { if (type === "message") onMessage = listener; };
globalThis.postMessage = message => reply(message);
vm.runInThisContext(fs.readFileSync(bundle, "utf8"), { filename: bundle });

// Material's message types: SETUP 0 -> READY 1, QUERY 2 -> RESULT 3.
function send(type, data) {
  return new Promise(resolve => {
    reply = resolve;
    onMessage({ data: { type, data } });
  });
}

async function main() {
  const index = JSON.parse(fs.readFileSync(indexPath, "utf8"));
  const ready = await send(0, { ...index, options: { suggest: suggest === "suggest" } });
  if (ready.type !== 1) throw new Error(`the worker did not get ready: ${JSON.stringify(ready)}`);
  process.stdout.write("ready\n");
  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    const result = await send(2, JSON.parse(line));
    const groups = result.data.items.map(items => items.map(item => [item.location, item.score]));
    process.stdout.write(JSON.stringify(groups) + "\n");
  }
}

main().catch(error => { console.error(error); process.exit(1); });
