/**
 * Print every fixture's verdicts as JSON, for the Python suite's agreement
 * check (tests/test_typescript_agreement.py). Run with `npm run --silent verdicts`.
 *
 * Output: [{"id", "type", "message": [[keyword, instanceLocation], ...], "parse": [...]}];
 * `message` is against the fixture's own message schema, `parse` through
 * parseServerMessage / parseClientMessage. Empty means valid.
 */

import { messageFixtures } from "../test/support/fixtures.js";
import { messageVerdict, parseVerdict } from "../test/support/verdicts.js";

const verdicts = messageFixtures().map((fixture) => ({
  id: fixture.id,
  type: fixture.type,
  message: messageVerdict(fixture),
  parse: parseVerdict(fixture),
}));
process.stdout.write(JSON.stringify(verdicts, null, 1) + "\n");
