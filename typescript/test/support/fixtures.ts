/**
 * The shared message fixtures of `tests/fixtures/messages/`, read as the
 * Python suite reads them (tests/support/fixtures.py):
 * `<TYPE>/{valid,invalid}/<name>.json`, each invalid one with `<name>.expect.json`.
 */

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const EXPECT_SUFFIX = ".expect.json";

/** One message fixture: its message type, whether it is valid, and its data. */
export interface MessageFixture {
  readonly id: string;
  readonly type: string;
  readonly valid: boolean;
  readonly path: string;
  readonly text: string;
  /** For an invalid fixture: every (keyword, instanceLocation) JSON Schema reports. */
  readonly expected: ReadonlyArray<readonly [string, string]>;
}

/** The repository's `tests/fixtures/messages`, found above this file wherever it is compiled to. */
export function messagesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, "tests", "fixtures", "messages");
    if (existsSync(candidate)) {
      return candidate;
    }
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error("no tests/fixtures/messages above " + fileURLToPath(import.meta.url));
    }
    dir = parent;
  }
}

interface Expectation {
  errors: { keyword: string; instanceLocation: string }[];
}

/** Every message fixture, sorted as the Python suite sorts them. */
export function messageFixtures(): MessageFixture[] {
  const root = messagesDir();
  const found: MessageFixture[] = [];
  for (const type of readdirSync(root).sort()) {
    for (const kind of readdirSync(join(root, type)).sort()) {
      if (kind !== "valid" && kind !== "invalid") {
        throw new Error(`${type}/${kind}: fixtures live in valid/ or invalid/`);
      }
      const names = readdirSync(join(root, type, kind))
        .filter((name) => name.endsWith(".json") && !name.endsWith(EXPECT_SUFFIX))
        .sort();
      for (const name of names) {
        const path = join(root, type, kind, name);
        const stem = name.slice(0, -".json".length);
        let expected: [string, string][] = [];
        if (kind === "invalid") {
          const expectation = JSON.parse(
            readFileSync(join(root, type, kind, stem + EXPECT_SUFFIX), "utf8"),
          ) as Expectation;
          expected = expectation.errors.map((e) => [e.keyword, e.instanceLocation]);
        }
        found.push({
          id: `${type}/${kind}/${stem}`,
          type,
          valid: kind === "valid",
          path,
          text: readFileSync(path, "utf8"),
          expected,
        });
      }
    }
  }
  return found;
}
