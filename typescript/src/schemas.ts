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

/** Where the schema files are published; every `$id` starts with it. */
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
 * Resolve a relative reference (such as `server/status.json`) against a base URI.
 *
 * The package runs where the DOM's or node's `URL` may be missing from the
 * types it is compiled with, and the schema's references are plain relative paths.
 */
function resolveReference(base: string, ref: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(ref)) {
    return ref;
  }
  const segments = base.slice(0, base.lastIndexOf("/")).split("/");
  for (const part of ref.split("/")) {
    if (part === "..") {
      segments.pop();
    } else if (part !== ".") {
      segments.push(part);
    }
  }
  return segments.join("/");
}

/** The path of the schema whose `$id` is `id`, if the package has it. */
export function schemaPathById(id: string): string | undefined {
  return Object.keys(SCHEMAS).find((path) => SCHEMAS[path]?.["$id"] === id);
}

const mappings = new Map<string, ReadonlyMap<string, string>>();

/**
 * The message types of a union schema (such as `server_message.json`), each
 * with the path of its message's schema: the union's `discriminator.mapping`.
 *
 * @throws RangeError when `path` is not a union schema with a discriminator mapping.
 */
export function unionMapping(path: string): ReadonlyMap<string, string> {
  const known = mappings.get(path);
  if (known !== undefined) {
    return known;
  }
  const union = schema(path);
  const discriminator = union["discriminator"] as { mapping?: Record<string, string> } | undefined;
  const base = union["$id"];
  if (discriminator?.mapping === undefined || typeof base !== "string") {
    throw new RangeError(`schema ${path} is not a union with a discriminator mapping`);
  }
  const mapping = new Map<string, string>();
  for (const [type, ref] of Object.entries(discriminator.mapping)) {
    const target = schemaPathById(resolveReference(base, ref));
    if (target === undefined) {
      throw new RangeError(`schema ${path} maps ${type} to ${ref}, which the package lacks`);
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
