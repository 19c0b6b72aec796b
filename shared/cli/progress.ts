// What `invoke` is waiting on while deliveries are slow: "waiting on prod-slack (attempt 2,
// 6.1 s)". It follows the handlers' own structured log (dispatch logs each attempt's start
// and end), redraws one status line on a terminal, and prints plain lines otherwise.

interface Pending {
  target: string;
  attempt: number;
  since: number;
  /** Plain mode: what was last printed for it, to print again only on news. */
  printedAttempt: number;
  printedAt: number;
}

/** Nothing is shown for deliveries shorter than this. */
const QUIET_MS = 1_000;
/** Plain mode: a still-pending delivery is mentioned again after this long. */
const REPEAT_MS = 5_000;

/**
 * Where the status goes. `isTTY` is true on a terminal only: a pipe or a file leaves it
 * undefined, whatever NodeJS.WriteStream's type says.
 */
export interface StatusStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

export class DeliveryProgress {
  private readonly pending = new Map<string, Pending>();
  private timer: NodeJS.Timeout | undefined;
  private drawn = false;
  private label = '';

  constructor(
    private readonly stream: StatusStream,
    private readonly now: () => number = Date.now,
  ) {}

  private get tty(): boolean {
    return this.stream.isTTY === true;
  }

  /** Follows one JSON log line of the handlers. */
  observe(line: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      return;
    }
    if (typeof parsed !== 'object' || parsed === null) return;
    const record = parsed as { msg?: unknown; target?: unknown; attempt?: unknown; outcome?: unknown; eventId?: unknown; alertId?: unknown };
    if (typeof record.target !== 'string') return;
    const id = typeof record.alertId === 'string' ? record.alertId : typeof record.eventId === 'string' ? record.eventId : '';
    const key = `${id}/${record.target}`;
    if (record.msg === 'delivery attempt started' && typeof record.attempt === 'number') {
      const entry = this.pending.get(key) ?? { target: record.target, attempt: 0, since: this.now(), printedAttempt: 0, printedAt: 0 };
      entry.attempt = record.attempt;
      this.pending.set(key, entry);
    } else if ((record.msg === 'delivery attempt' && record.outcome !== 'failed') || record.msg === 'delivery failed') {
      this.pending.delete(key);
    }
  }

  /** Starts watching the deliveries of one event file. */
  start(label: string): void {
    this.label = label;
    this.pending.clear();
    this.timer = setInterval(() => {
      this.tick();
    }, this.tty ? 200 : 500);
    this.timer.unref();
  }

  /** Stops, and clears the status line so that the next line starts clean. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.pending.clear();
    this.clear();
  }

  private clear(): void {
    if (this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }

  /** `prod-slack (attempt 2, 6.1 s)`. */
  private describe(entry: Pending, now: number): string {
    return `${entry.target} (attempt ${entry.attempt}, ${((now - entry.since) / 1000).toFixed(1)} s)`;
  }

  tick(): void {
    const now = this.now();
    const slow = [...this.pending.values()].filter((entry) => now - entry.since >= QUIET_MS);
    if (this.tty) {
      if (slow.length === 0) {
        this.clear();
        return;
      }
      const text = `${this.label}: waiting on ${slow.map((entry) => this.describe(entry, now)).join(', ')}`;
      const columns = this.stream.columns || 120;
      this.stream.write(`\r\x1b[K${text.length > columns - 1 ? `${text.slice(0, columns - 2)}…` : text}`);
      this.drawn = true;
      return;
    }
    for (const entry of slow) {
      if (entry.printedAttempt === entry.attempt && now - entry.printedAt < REPEAT_MS) continue;
      entry.printedAttempt = entry.attempt;
      entry.printedAt = now;
      this.stream.write(`${this.label}: waiting on ${this.describe(entry, now)}\n`);
    }
  }
}
