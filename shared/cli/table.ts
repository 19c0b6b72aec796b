// Plain-text tables for the terminal. Widths count East Asian wide characters as two
// columns so that Chinese alert names line up.

/** East Asian wide characters and emoji: two columns each. */
const WIDE = /[\u{1100}-\u{115f}\u{2e80}-\u{a4cf}\u{ac00}-\u{d7a3}\u{f900}-\u{faff}\u{fe30}-\u{fe4f}\u{ff00}-\u{ff60}\u{ffe0}-\u{ffe6}\u{1f300}-\u{1faff}\u{20000}-\u{3fffd}]/u;

export function width(text: string): number {
  let columns = 0;
  for (const char of text) columns += WIDE.test(char) ? 2 : 1;
  return columns;
}

function fit(text: string, max: number): string {
  if (width(text) <= max) return text;
  let out = '';
  for (const char of text) {
    if (width(out + char) > max - 1) break;
    out += char;
  }
  return out + '…';
}

function pad(text: string, columns: number): string {
  return text + ' '.repeat(Math.max(0, columns - width(text)));
}

/** Renders rows under a header; `maxWidths` caps columns (by index) with an ellipsis. */
export function renderTable(header: string[], rows: string[][], maxWidths: Record<number, number> = {}): string {
  const fitRow = (row: string[]) => row.map((cell, i) => fit(cell, maxWidths[i] ?? 200));
  const head = fitRow(header);
  const body = rows.map(fitRow);
  const widths = head.map((_, i) => Math.max(...[head, ...body].map((row) => width(row[i] ?? ''))));
  // A cell beyond the header's columns is not padded.
  const line = (row: string[]) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : pad(cell, widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
