/**
 * A `node --test` reporter for short CI logs: a dot per passing test (an `X` per failing
 * one), then every failure in full (name, file and the error as node prints it), then the
 * run's counts and one closing line, `N passed, N failed`.
 *
 * `npm test` uses it; `node --test build/test/*.test.js` alone prints node's own report.
 */

import { inspect } from "node:util";

interface TestData {
  name: string;
  nesting: number;
  file?: string;
  line?: number;
  details: { type?: string; error?: unknown };
  message?: string;
}

interface TestEvent {
  type: string;
  data: TestData;
}

const WIDTH = 80;

export default async function* compactReporter(
  source: AsyncIterable<TestEvent>,
): AsyncGenerator<string> {
  const failures: TestData[] = [];
  const summary: string[] = [];
  let column = 0;
  let passed = 0;
  for await (const event of source) {
    const { type, data } = event;
    if ((type === "test:pass" || type === "test:fail") && data.details.type !== "suite") {
      if (type === "test:pass") {
        passed += 1;
      } else {
        failures.push(data);
      }
      column += 1;
      yield (type === "test:pass" ? "." : "X") + (column % WIDTH === 0 ? "\n" : "");
    } else if (type === "test:fail" && data.details.type === "suite") {
      failures.push(data); // a failing hook: no test of it ran
    } else if (type === "test:diagnostic" && data.nesting === 0 && data.message !== undefined) {
      summary.push(`# ${data.message}`);
    }
  }
  let report = column % WIDTH === 0 ? "" : "\n";
  for (const failure of failures) {
    const where = failure.file === undefined ? "" : ` (${failure.file}:${failure.line ?? "?"})`;
    const error = inspect(failure.details.error, { depth: 4 }).replaceAll("\n", "\n    ");
    report += `\nFAILED ${failure.name}${where}\n    ${error}\n`;
  }
  report += `\n${summary.join("\n")}\n${passed} passed, ${failures.length} failed\n`;
  yield report;
}
