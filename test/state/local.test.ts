import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { fileName, LocalStore } from '../../shared/state/local';
import { describeStoreContract } from './contract';
import { localHarness } from './adapters';

describeStoreContract(localHarness);

describe('local store file names', () => {
  it('keeps short keys readable, bytes outside a-z 0-9 . - _ escaped', () => {
    expect(fileName('0b4c1f2e-77a9-4d35-9e4a-6c3b1f0d2a11#ops-hook')).toBe('k0b4c1f2e-77a9-4d35-9e4a-6c3b1f0d2a11~23ops-hook');
    expect(fileName('Ab')).toBe('k~41b');
    expect(fileName('é')).toBe('k~c3~a9');
  });

  it('hashes a key whose escaped form is too long, into a name of fixed length', () => {
    const long = 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:'.repeat(5);
    expect(fileName(long)).toMatch(/^h[0-9a-f]{64}$/);
  });

  it('is one-to-one, also on a case-insensitive disk, and never longer than a file name may be', () => {
    expect(fileName('ALARM').toLowerCase()).not.toBe(fileName('alarm').toLowerCase());
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 120 }), fc.string({ unit: 'binary', maxLength: 120 }), (a, b) => {
        const [na, nb] = [fileName(a), fileName(b)];
        expect(Buffer.byteLength(na)).toBeLessThanOrEqual(161);
        if (Buffer.from(a).compare(Buffer.from(b)) !== 0) expect(na.toLowerCase()).not.toBe(nb.toLowerCase());
      }),
      { seed: 9, numRuns: 2000 },
    );
  });

  it('writes a record under that name, its lock and temporary files gone after the write', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'router-state-names-'));
    try {
      const store = new LocalStore(dir);
      await store.put({ space: 'alerts', key: 'arn:aws:cloudwatch:us-east-1:1:alarm:Cpu', expect: { absent: true }, expiresAt: 2_000_000_000, now: 0, value: { a: 1 } });
      expect(await readdir(join(dir, 'alerts'))).toEqual([`${fileName('arn:aws:cloudwatch:us-east-1:1:alarm:Cpu')}.json`]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
