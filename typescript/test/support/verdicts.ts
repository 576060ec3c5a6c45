/**
 * The TypeScript side's verdicts on a fixture, in the form the Python suite
 * compares (tests/test_typescript_agreement.py): sorted [keyword, instanceLocation] pairs.
 */

import {
  messageSchemaPath,
  parseClientMessage,
  parseServerMessage,
  type SchemaError,
  schemaErrors,
  unionMapping,
} from "../../src/index.js";
import type { MessageFixture } from "./fixtures.js";

/** A set of errors as sorted, distinct [keyword, instanceLocation] pairs. */
export type Verdict = [string, string][];

/** Reduce errors to a verdict: JSON Schema's output units, as a sorted set. */
export function verdict(errors: readonly SchemaError[]): Verdict {
  const keys = new Set(errors.map((e) => JSON.stringify([e.keyword, e.instanceLocation])));
  return [...keys].sort().map((key) => JSON.parse(key) as [string, string]);
}

/** The fixture's verdict against the schema of its own message type. */
export function messageVerdict(fixture: MessageFixture): Verdict {
  const path = messageSchemaPath(fixture.type);
  if (path === undefined) {
    throw new Error(`no schema for message type ${fixture.type}`);
  }
  return verdict(schemaErrors(path, JSON.parse(fixture.text)));
}

/** Whether the fixture's type is a server message type (else a client one). */
export function isServerType(type: string): boolean {
  return unionMapping("server_message.json").has(type);
}

/** The fixture's verdict through the parser of its side (server or client). */
export function parseVerdict(fixture: MessageFixture): Verdict {
  const parse = isServerType(fixture.type) ? parseServerMessage : parseClientMessage;
  const result = parse(fixture.text);
  return result.ok ? [] : verdict(result.error.errors);
}
