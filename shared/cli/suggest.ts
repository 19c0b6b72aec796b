// "Did you mean ...?" for a mistyped command, subcommand or option.

/** Levenshtein distance, one row of the table at a time: `row[j]` is the distance from a's first i characters to b's first j. */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  let last = b.length;
  for (let i = 0; i < a.length; i++) {
    let diagonal = i;
    let left = i + 1;
    const next = [left];
    for (const [j, above] of row.slice(1).entries()) {
      left = Math.min(above + 1, left + 1, diagonal + (a.charAt(i) === b.charAt(j) ? 0 : 1));
      next.push(left);
      diagonal = above;
    }
    row = next;
    last = left;
  }
  return last;
}

/** The closest candidate within a third of its length (at least 2 edits), or a prefix match. */
export function closest(input: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = candidate.startsWith(input) && input.length >= 3 ? 0.5 : distance(input, candidate);
    if (d < bestDistance && d <= Math.max(2, Math.floor(candidate.length / 3))) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** `: did you mean X?` or nothing. */
export function didYouMean(input: string, candidates: readonly string[]): string {
  const match = closest(input, candidates);
  return match ? `: did you mean ${match}?` : '';
}
