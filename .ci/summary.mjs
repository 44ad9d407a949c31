// The closing line of a CI run: the tests vitest ran in both projects (npm test, npm run
// test:long), read from the JSON reports .ci/run asks vitest for, as the plain
// "N passed, N failed, N skipped" line CI's judge reads. vitest's own closing lines
// ("Tests  1119 passed (1120)") are not a form the judge knows, and the last thing the run
// prints is Yosys' synthesis table: without this line a green run reads as one that ran no test.
// Exits 1 when a report is missing or ran no test, so an empty run cannot pass as green.
import { readFileSync } from 'node:fs';

let passed = 0, failed = 0, skipped = 0;
for (const file of process.argv.slice(2)) {
  let r;
  try {
    r = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    console.error(`ci: cannot read vitest's report ${file}: ${e.message}`);
    process.exit(1);
  }
  if (!(r.numTotalTests > 0)) {
    console.error(`ci: ${file}: vitest ran no test`);
    process.exit(1);
  }
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += r.numPendingTests + r.numTodoTests;
}
console.log(`ci: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed === 0 ? 0 : 1);
