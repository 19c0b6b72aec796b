// Prints the run's totals as one plain line, "Tests: N passed, N failed, N skipped", after
// jest's own summary: the form CI tooling reads to tell that tests ran and how they went.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    process.stderr.write(`Tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped\n`);
  }
}
module.exports = SummaryReporter;
