/**
 * Every shared fixture through the TypeScript validator: the verdicts must be
 * the ones each `*.expect.json` names (the full set of JSON Schema's leaf errors).
 */

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  messageSchemaPath,
  parseClientMessage,
  parseServerMessage,
  schemaErrors,
  validatorFor,
} from "../src/index.js";
import { messageFixtures } from "./support/fixtures.js";
import { isServerType, messageVerdict, parseVerdict, verdict } from "./support/verdicts.js";

const fixtures = messageFixtures();

test("there are fixtures of both kinds for both sides", () => {
  assert.ok(fixtures.filter((f) => f.valid).length >= 30);
  assert.ok(fixtures.filter((f) => !f.valid).length >= 40);
  assert.ok(fixtures.some((f) => !isServerType(f.type)));
});

describe("against its message's schema, each fixture fails exactly as expected", () => {
  for (const fixture of fixtures) {
    test(fixture.id, () => {
      if (!fixture.valid) {
        assert.ok(fixture.expected.length > 0, "an expectation names at least one error");
      }
      const expected = [...new Set(fixture.expected.map((e) => JSON.stringify(e)))]
        .sort()
        .map((e) => JSON.parse(e) as [string, string]);
      assert.deepEqual(messageVerdict(fixture), expected);
    });
  }
});

describe("through the parser of its side", () => {
  for (const fixture of fixtures) {
    test(fixture.id, () => {
      const server = isServerType(fixture.type);
      const result = server ? parseServerMessage(fixture.text) : parseClientMessage(fixture.text);
      const instance: unknown = JSON.parse(fixture.text);
      // The parser picks the schema by `type`: it must agree with the union itself.
      const unionPath = server ? "server_message.json" : "client_message.json";
      const union = validatorFor(unionPath);
      assert.equal(result.ok, union(instance));
      if (fixture.valid) {
        assert.ok(result.ok, result.ok ? "" : result.error.message);
        assert.deepEqual(result.message, instance);
        return;
      }
      // An invalid fixture may still be another valid message ("other_type"):
      // the schema its `type` names speaks, and without a known `type`, the union.
      const type = (instance as { type?: unknown } | null)?.type;
      const chosen = typeof type === "string" ? messageSchemaPath(type) : undefined;
      const sameSide = chosen !== undefined && isServerType(type as string) === server;
      const expected =
        sameSide && chosen !== undefined
          ? verdict(schemaErrors(chosen, instance))
          : verdict(schemaErrors(unionPath, instance));
      assert.deepEqual(parseVerdict(fixture), expected);
      if (!result.ok) {
        assert.equal(result.error.kind, "invalid-message");
      }
    });
  }
});
