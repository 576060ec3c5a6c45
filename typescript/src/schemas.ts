/**
 * The protocol's JSON Schema files, shipped inside the package.
 *
 * They are the files of the repository's `schema/` directory (draft 2020-12),
 * copied by `nox -s codegen` into `generated/schemas.ts`, so the package never
 * reads `schema/` at run time.
 */

import { SCHEMAS } from "./generated/schemas.js";

/** A JSON Schema document, as parsed from its file. */
export type SchemaDocument = Readonly<Record<string, unknown>>;

/**
 * Where the schema files are published: a file's address is `BASE_URI + path`.
 *
 * The files carry no `$id` (a file is known by where it lies, so relative
 * `$ref`s resolve offline from a checkout as from the site); the validator
 * registers each file under this address.
 */
export const BASE_URI = "https://agent-api.lambda.coredump.ru/schema/v1.1/";

/** Paths of every schema file, relative to `schema/` (`"server/status.json"`, ...). */
export function schemaPaths(): string[] {
  return Object.keys(SCHEMAS).sort();
}

/**
 * A copy of the schema file at `path` (relative to `schema/`).
 *
 * @throws RangeError when no schema file has that path.
 */
export function schema(path: string): SchemaDocument {
  const document = SCHEMAS[path];
  if (document === undefined) {
    throw new RangeError(`no schema ${JSON.stringify(path)}; known: ${schemaPaths().join(", ")}`);
  }
  return JSON.parse(JSON.stringify(document)) as SchemaDocument;
}

/**
 * The path that a relative `$ref` (such as `server/status.json`) in the file
 * `base` names: both are paths relative to the schema folder.
 */
function resolveReference(base: string, ref: string): string {
  const segments = base.split("/").slice(0, -1);
  for (const part of ref.split("/")) {
    if (part === "..") {
      segments.pop();
    } else if (part !== ".") {
      segments.push(part);
    }
  }
  return segments.join("/");
}

/** One `if`/`then` pair of a union: `if` its `type` is `const`, `then` the message's `$ref`. */
interface Dispatch {
  readonly if?: { readonly properties?: { readonly type?: { readonly const?: unknown } } };
  readonly then?: { readonly $ref?: unknown };
}

const mappings = new Map<string, ReadonlyMap<string, string>>();

/**
 * The message types of a union schema (such as `server_message.json`), each
 * with the path of its message's schema: the union's `if`/`then` pairs.
 *
 * @throws RangeError when `path` is not a union schema.
 */
export function unionMapping(path: string): ReadonlyMap<string, string> {
  const known = mappings.get(path);
  if (known !== undefined) {
    return known;
  }
  const pairs = schema(path)["allOf"] as readonly Dispatch[] | undefined;
  if (pairs === undefined || pairs.length === 0) {
    throw new RangeError(`schema ${path} is not a union`);
  }
  const mapping = new Map<string, string>();
  for (const pair of pairs) {
    const type = pair.if?.properties?.type?.const;
    const ref = pair.then?.$ref;
    if (typeof type !== "string" || typeof ref !== "string") {
      throw new RangeError(`schema ${path} is not a union of if/then pairs on type`);
    }
    const target = resolveReference(path, ref);
    if (!(target in SCHEMAS)) {
      throw new RangeError(`schema ${path} sends ${type} to ${ref}, which the package lacks`);
    }
    mapping.set(type, target);
  }
  mappings.set(path, mapping);
  return mapping;
}

/** The path of the schema of the message whose `type` is `type`, if known. */
export function messageSchemaPath(type: string): string | undefined {
  return (
    unionMapping("server_message.json").get(type) ?? unionMapping("client_message.json").get(type)
  );
}
