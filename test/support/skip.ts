/**
 * Suites that need a tool this machine may not have (PostgreSQL, promtool, postgres_exporter, root, the reference
 * CRDs). Missing, the suite is skipped, and a skipped test titled with the reason and the install command stands for
 * it: the summary at the end of every `npm test` lists these (test/support/summary-reporter.js). With
 * REQUIRE_INTEGRATION_TOOLS=1 (CI) the suite fails instead.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { SKIPPED_BECAUSE } = require('./summary-reporter') as { SKIPPED_BECAUSE: string };

/** What a missing tool needs: why the suite cannot run, and the command (or step) that makes it run. */
export interface MissingTool {
  /** `promtool not found`. */
  readonly reason: string;
  /** `scripts/install-promtool.sh`. */
  readonly install: string;
}

/** The title of the skipped test that reports `missing` in the summary. */
export function skippedTitle(missing: MissingTool): string {
  return `${SKIPPED_BECAUSE}${missing.reason}: install with \`${missing.install}\``;
}

/** `describe(name, body)` when nothing is missing; otherwise skipped with the reason, or failing in CI. */
export function describeIfInstalled(name: string, missing: MissingTool | undefined, body: () => void): void {
  if (missing === undefined) {
    describe(name, body);
  } else if (process.env.REQUIRE_INTEGRATION_TOOLS === '1') {
    describe(name, () => {
      test(`has what it needs (REQUIRE_INTEGRATION_TOOLS=1)`, () => {
        throw new Error(`${missing.reason}: install with \`${missing.install}\``);
      });
    });
  } else {
    describe.skip(name, () => {
      test(skippedTitle(missing), () => undefined);
      body();
    });
  }
}

/** The reasons already reported by a skipped test in this test file. */
const reported = new Set<string>();

/**
 * `test(name, body)` when nothing is missing; otherwise skipped, or failing in CI. The first test of a file skipped
 * for a reason brings the skipped test titled with that reason.
 */
export function testIfInstalled(name: string, missing: MissingTool | undefined, body: jest.ProvidesCallback, timeout?: number): void {
  if (missing === undefined) {
    test(name, body, timeout);
  } else if (process.env.REQUIRE_INTEGRATION_TOOLS === '1') {
    test(name, () => {
      throw new Error(`${missing.reason}: install with \`${missing.install}\``);
    });
  } else {
    if (!reported.has(missing.reason)) test.skip(skippedTitle(missing), () => undefined);
    reported.add(missing.reason);
    test.skip(name, body, timeout);
  }
}
