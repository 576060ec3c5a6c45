// Generate models from an AsyncAPI document with Modelina, in TypeScript, Python and Go:
// `node modelina.mjs ASYNCAPI.yaml OUT_DIR` writes OUT_DIR/{typescript,python,go}/.
// Run by tools/ecosystem/matrix.py (`nox -s ecosystem`).
//
// The document goes in as a file:// URL: Modelina 5.10 parses a file itself (any
// AsyncAPI 3.x the parser reads) but refuses an already parsed 3.1 document, which is
// what `asyncapi generate models` hands it.

import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

import {
  GO_COMMON_PRESET,
  GoFileGenerator,
  Logger,
  PythonFileGenerator,
  TypeScriptFileGenerator,
} from "@asyncapi/modelina";

const [source, out] = process.argv.slice(2);
if (source === undefined || out === undefined) {
  process.stderr.write("usage: node modelina.mjs ASYNCAPI.yaml OUT_DIR\n");
  process.exit(2);
}
const warnings = [];
Logger.setLogger({
  debug: () => {},
  info: () => {},
  warn: (...parts) => warnings.push(parts.join(" ")),
  error: (...parts) => warnings.push(parts.join(" ")),
});
const input = pathToFileURL(resolve(source)).href;

const targets = {
  // Interfaces with the JSON names (`type`, `tokens_used`), so a JSON.parse result fits.
  typescript: [
    new TypeScriptFileGenerator({ modelType: "interface", rawPropertyNames: true }),
    { exportType: "named" },
    "ts",
  ],
  python: [new PythonFileGenerator(), {}, "py"],
  // JSON tags, so encoding/json maps `tokens_used` to TokensUsed.
  go: [
    new GoFileGenerator({ presets: [{ preset: GO_COMMON_PRESET, options: { addJsonTag: true } }] }),
    { packageName: "messages" },
    "go",
  ],
};

const report = {};
for (const [language, [generator, options, extension]] of Object.entries(targets)) {
  const dir = join(out, language);
  mkdirSync(dir, { recursive: true });
  const models = await generator.generateCompleteModels(input, options);
  report[language] = [];
  for (const model of models) {
    if (!model.modelName) continue;
    writeFileSync(join(dir, `${model.modelName}.${extension}`), model.result + "\n");
    report[language].push(model.modelName);
  }
}
process.stdout.write(JSON.stringify({ models: report, warnings }) + "\n");
