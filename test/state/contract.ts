// The store contract (shared/state/contract.ts) as a test suite that every adapter runs:
// the conditional-write semantics the ledger and the alert state rely on, checked against
// the real store (files, dynalite through the real SDK, the Tablestore protocol server).
import { MAX_KEY_BYTES, MAX_VALUE_BYTES, type StateStore } from '../../shared/state/contract';
import type { StoreHarness } from './adapters';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const LATER = Math.floor(NOW / 1000) + 3600;

export function describeStoreContract(harness: StoreHarness): void {
  describe(`store contract: ${harness.name}`, () => {
    let store: StateStore;
    let stop: () => Promise<void>;

    beforeAll(async () => {
      ({ store, stop } = await harness.start());
    });
    afterAll(async () => {
      await store?.close?.();
      await stop?.();
    });

    let n = 0;
    const fresh = (label: string) => `${label}-${process.pid}-${(n += 1)}-${Math.random().toString(36).slice(2, 8)}`;

    test('an absent record reads as undefined', async () => {
      expect(await store.get('ledger', fresh('absent'), NOW)).toBeUndefined();
    });

    test('put-if-absent writes version 1 once; the value round-trips', async () => {
      const key = fresh('absent-put');
      const value = { status: 'in-progress', nested: { list: [1, 'two', null, true] }, text: 'é 漢字 🚨' };
      expect(await store.put({ space: 'ledger', key, value, expect: { absent: true }, expiresAt: LATER, now: NOW })).toEqual({ written: true, version: 1 });
      expect(await store.put({ space: 'ledger', key, value: { other: 1 }, expect: { absent: true }, expiresAt: LATER, now: NOW })).toEqual({ written: false });
      expect(await store.get('ledger', key, NOW)).toEqual({ key, version: 1, expiresAt: LATER, value });
    });

    test('put-if-version writes version n+1 only when the live version is n', async () => {
      const key = fresh('versioned');
      await store.put({ space: 'alerts', key, value: { v: 1 }, expect: { absent: true }, expiresAt: LATER, now: NOW });
      expect(await store.put({ space: 'alerts', key, value: { v: 2 }, expect: { version: 1 }, expiresAt: LATER + 10, now: NOW })).toEqual({ written: true, version: 2 });
      expect(await store.put({ space: 'alerts', key, value: { v: 'stale' }, expect: { version: 1 }, expiresAt: LATER, now: NOW })).toEqual({ written: false });
      expect(await store.put({ space: 'alerts', key, value: { v: 'future' }, expect: { version: 3 }, expiresAt: LATER, now: NOW })).toEqual({ written: false });
      expect(await store.get('alerts', key, NOW)).toEqual({ key, version: 2, expiresAt: LATER + 10, value: { v: 2 } });
    });

    test('put-if-version on an absent record is not written', async () => {
      expect(await store.put({ space: 'alerts', key: fresh('none'), value: {}, expect: { version: 1 }, expiresAt: LATER, now: NOW })).toEqual({ written: false });
    });

    test('an expired record reads as absent and can be replaced by put-if-absent, not by put-if-version', async () => {
      const key = fresh('expired');
      const expiresAt = Math.floor(NOW / 1000) + 60;
      await store.put({ space: 'ledger', key, value: { old: true }, expect: { absent: true }, expiresAt, now: NOW });
      const after = (expiresAt + 1) * 1000;
      expect(await store.get('ledger', key, after)).toBeUndefined();
      // Exactly at expiresAt the record is already expired.
      expect(await store.get('ledger', key, expiresAt * 1000)).toBeUndefined();
      expect(await store.get('ledger', key, expiresAt * 1000 - 1)).toBeDefined();
      expect(await store.put({ space: 'ledger', key, value: { old: false }, expect: { version: 1 }, expiresAt: LATER + 600, now: after })).toEqual({ written: false });
      expect(await store.put({ space: 'ledger', key, value: { fresh: true }, expect: { absent: true }, expiresAt: LATER + 600, now: after })).toEqual({ written: true, version: 1 });
      expect((await store.get('ledger', key, after))?.value).toEqual({ fresh: true });
    });

    test('of concurrent writes with the same expectation exactly one is written', async () => {
      const key = fresh('race');
      const absent = await Promise.all(
        Array.from({ length: 12 }, (_, i) => store.put({ space: 'ledger', key, value: { writer: i }, expect: { absent: true }, expiresAt: LATER, now: NOW })),
      );
      expect(absent.filter((r) => r.written)).toHaveLength(1);
      const versioned = await Promise.all(
        Array.from({ length: 12 }, (_, i) => store.put({ space: 'ledger', key, value: { writer: i }, expect: { version: 1 }, expiresAt: LATER, now: NOW })),
      );
      expect(versioned.filter((r) => r.written)).toEqual([{ written: true, version: 2 }]);
    });

    test('spaces are separate and list() returns only the live records of one space', async () => {
      const key = fresh('spaces');
      const soon = Math.floor(NOW / 1000) + 5;
      await store.put({ space: 'alerts', key, value: { in: 'alerts' }, expect: { absent: true }, expiresAt: LATER, now: NOW });
      await store.put({ space: 'ledger', key, value: { in: 'ledger' }, expect: { absent: true }, expiresAt: LATER, now: NOW });
      const shortLived = fresh('short');
      await store.put({ space: 'alerts', key: shortLived, value: { in: 'alerts', short: true }, expect: { absent: true }, expiresAt: soon, now: NOW });
      expect((await store.get('alerts', key, NOW))?.value).toEqual({ in: 'alerts' });
      expect((await store.get('ledger', key, NOW))?.value).toEqual({ in: 'ledger' });

      const listed = await store.list('alerts', NOW);
      expect(listed.find((r) => r.key === key)?.value).toEqual({ in: 'alerts' });
      expect(listed.some((r) => r.key === shortLived)).toBe(true);
      expect(listed.every((r) => (r.value as { in?: string }).in !== 'ledger')).toBe(true);
      const afterShort = await store.list('alerts', (soon + 1) * 1000);
      expect(afterShort.some((r) => r.key === shortLived)).toBe(false);
      expect(afterShort.some((r) => r.key === key)).toBe(true);
    });

    test('keys of any characters up to the limit, and values up to the limit, round-trip', async () => {
      const odd = `${fresh('odd')}#/\\:?*|"<>\n\t é漢字🚨 arn:aws:cloudwatch:us-east-1:123456789012:alarm:x`;
      const longKey = fresh('long').padEnd(MAX_KEY_BYTES, 'k');
      const big = { text: 'x'.repeat(MAX_VALUE_BYTES - 100) };
      for (const key of [odd, longKey]) {
        expect(await store.put({ space: 'alerts', key, value: big, expect: { absent: true }, expiresAt: LATER, now: NOW })).toEqual({ written: true, version: 1 });
        expect(await store.get('alerts', key, NOW)).toEqual({ key, version: 1, expiresAt: LATER, value: big });
      }
    });
  });
}
