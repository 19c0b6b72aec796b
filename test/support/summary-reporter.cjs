// Prints the run's totals as one plain line, "Tests: N passed, N failed, N skipped", as the
// very last line of the run (after jest's own summary): the form CI tooling reads to tell
// that tests ran and how they went.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `Tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped\n`;
    process.once('exit', () => process.stderr.write(line));
  }
}
module.exports = SummaryReporter;
