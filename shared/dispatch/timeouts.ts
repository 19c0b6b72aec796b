// The timeouts of the delivery attempts in flight, on one Node timer. A timer per attempt
// (setTimeout, then clearTimeout when the target answers) costs an object, an async id and
// Node's timer-list bookkeeping for every attempt, although nearly every attempt settles long
// before its timeout. Here an attempt's timeout is an entry in a list; the one timer is
// armed for the earliest entry and re-armed from the rest when it fires.
//
// It keeps what a timer per attempt gives (test/dispatch/timeouts.test.ts pins it):
// - a timeout fires no earlier than its delay after it was started (on the monotonic clock),
//   and when the timer fires, every timeout due by then fires;
// - the timer keeps the process alive (ref) while an entry is pending and never after: with
//   nothing pending it is unref'd, so a command-line process exits as soon as its work is
//   done, and one whose target hangs waits for that target's timeout;
// - a cancelled timeout never fires.
// One difference, in an event loop held up past several timeouts: they all fire at the first
// expiry, before other timers of that turn (a timer each would interleave them with those by
// due time). A target's answer comes by I/O, which Node runs after the timers of a turn
// either way.

/** A pending timeout; cancel it with cancelTimeout(). */
export class PendingTimeout {
  prev: PendingTimeout | null = null;
  next: PendingTimeout | null = null;
  linked = false;

  constructor(
    /** performance.now() at which it is due. */
    readonly due: number,
    readonly fire: () => void,
  ) {}
}

let first: PendingTimeout | null = null;
let last: PendingTimeout | null = null;
let timer: ReturnType<typeof setTimeout> | undefined;
/** When the armed timer is due (Infinity when none is armed). */
let timerDue = Infinity;

/** Calls `fire` after `ms` milliseconds unless cancelled first. `fire` must not throw. */
export function startTimeout(ms: number, fire: () => void): PendingTimeout {
  const entry = new PendingTimeout(performance.now() + ms, fire);
  entry.prev = last;
  if (last) last.next = entry;
  else first = entry;
  last = entry;
  entry.linked = true;
  if (entry.due < timerDue) arm(entry.due, ms);
  // Armed for an earlier entry (or for one that has gone since): it holds the process again.
  else timer?.ref();
  return entry;
}

/** Cancels a pending timeout; nothing happens for one that fired or was cancelled. */
export function cancelTimeout(entry: PendingTimeout): void {
  if (!entry.linked) return;
  unlink(entry);
  // Nothing left to time out: the timer stays armed (the next attempt reuses it) but no
  // longer holds the process.
  if (first === null) timer?.unref();
}

/** How many timeouts are pending (for tests). */
export function pendingTimeouts(): number {
  let count = 0;
  for (let entry = first; entry; entry = entry.next) count += 1;
  return count;
}

function unlink(entry: PendingTimeout): void {
  if (entry.prev) entry.prev.next = entry.next;
  else first = entry.next;
  if (entry.next) entry.next.prev = entry.prev;
  else last = entry.prev;
  entry.prev = entry.next = null;
  entry.linked = false;
}

function arm(due: number, ms: number): void {
  if (timer) clearTimeout(timer);
  timer = setTimeout(expire, Math.max(1, Math.ceil(ms)));
  timerDue = due;
}

/** The timer fired: fires every due entry, in the order they were started, and re-arms for the rest. */
function expire(): void {
  timer = undefined;
  timerDue = Infinity;
  const now = performance.now();
  const due: PendingTimeout[] = [];
  let next = Infinity;
  for (let entry = first; entry; ) {
    const following: PendingTimeout | null = entry.next;
    if (entry.due <= now) {
      unlink(entry);
      due.push(entry);
    } else if (entry.due < next) next = entry.due;
    entry = following;
  }
  // Node's timer may fire a little before the monotonic clock says (it counts from the event
  // loop's cached time): an entry not due yet is waited for again.
  if (first !== null) arm(next, next - now);
  for (const entry of due) entry.fire();
}
