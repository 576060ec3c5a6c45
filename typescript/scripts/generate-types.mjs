// Print TypeScript declarations for a bundled JSON Schema, with the pinned
// json-schema-to-typescript. Run by codegen/typescript_types.py (`nox -s codegen`),
// never by hand: the bundle arrives on stdin, the declarations leave on stdout.
//
// Input: {"$defs": {Title: schema, ...}, "order": [Title, ...]}. Each definition
// is compiled on its own, with the others only referenced (declared by their own
// turn), so every type is named by its schema's title and declared once.

import { readFileSync } from "node:fs";

const here = new URL("..", import.meta.url);
const GENERATOR = "json-schema-to-typescript";

function fail(message) {
  process.stderr.write(`generate-types: ${message}\n`);
  process.exit(2);
}

// The drift check compares bytes: only the pinned generator may write them.
const pinned = JSON.parse(readFileSync(new URL("package.json", here), "utf8")).devDependencies[
  GENERATOR
];
let installed;
try {
  installed = JSON.parse(
    readFileSync(new URL(`node_modules/${GENERATOR}/package.json`, here), "utf8"),
  ).version;
} catch {
  fail(`${GENERATOR} is not installed; run \`npm ci --prefix typescript\``);
}
if (installed !== pinned) {
  fail(`needs ${GENERATOR} ${pinned}, found ${installed}; run \`npm ci --prefix typescript\``);
}

const { compile } = await import(GENERATOR);

const input = JSON.parse(readFileSync(0, "utf8"));
const options = {
  bannerComment: "",
  // Only the definition being compiled is declared; the ones it references
  // are declared when their own turn comes.
  declareExternallyReferenced: false,
  unreachableDefinitions: false,
  // A value the schema does not constrain is `unknown`, never `any`.
  unknownAny: true,
  additionalProperties: true,
  strictIndexSignatures: false,
  format: true,
  style: { printWidth: 100, singleQuote: false, semi: true, trailingComma: "all", tabWidth: 2 },
};

const parts = [];
for (const title of input.order) {
  const definition = input.$defs[title];
  if (definition === undefined) fail(`no definition ${title}`);
  const code = await compile({ ...definition, $defs: input.$defs }, title, options);
  parts.push(code.trim());
}
process.stdout.write(parts.join("\n\n") + "\n");
