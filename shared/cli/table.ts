// Plain-text tables for the terminal. Widths count East Asian wide characters as two
// columns so that Chinese alert names line up.

export function width(text: string): number {
  let columns = 0;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    const wide =
      (code >= 0x1100 && code <= 0x115f) ||
      (code >= 0x2e80 && code <= 0xa4cf) ||
      (code >= 0xac00 && code <= 0xd7a3) ||
      (code >= 0xf900 && code <= 0xfaff) ||
      (code >= 0xfe30 && code <= 0xfe4f) ||
      (code >= 0xff00 && code <= 0xff60) ||
      (code >= 0xffe0 && code <= 0xffe6) ||
      (code >= 0x1f300 && code <= 0x1faff) ||
      (code >= 0x20000 && code <= 0x3fffd);
    columns += wide ? 2 : 1;
  }
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
  const cells = [header, ...rows].map((row) => row.map((cell, i) => fit(cell, maxWidths[i] ?? 200)));
  const widths = header.map((_, i) => Math.max(...cells.map((row) => width(row[i] ?? ''))));
  const line = (row: string[]) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : pad(cell, widths[i]!)))
      .join('  ')
      .trimEnd();
  const [head, ...body] = cells;
  return [line(head!), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
