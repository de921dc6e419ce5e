// Ends jest's output with one plain line, `N passed, N failed, N skipped`, which CI systems that do not
// understand jest's own summary can read.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    process.stdout.write(`\n${results.numPassedTests} passed, ${results.numFailedTests} failed, ${results.numPendingTests + results.numTodoTests} skipped\n`);
  }
}
module.exports = SummaryReporter;
