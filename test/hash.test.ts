// shared/hash.ts on any Node 20: FC's nodejs20 may predate process.getBuiltinModule (20.16)
// and crypto.hash (20.12). Known answers: SHA-256 of "abc" (FIPS 180-2), HMAC-SHA256 of
// RFC 4231's test case 2.
import * as nodeCrypto from 'node:crypto';

const ABC_SHA256 = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
const RFC4231_2 = '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843';

type HashModule = typeof import('../shared/hash');

function freshHash(): HashModule {
  let mod: HashModule | undefined;
  jest.isolateModules(() => {
    mod = jest.requireActual<HashModule>('../shared/hash');
  });
  if (!mod) throw new Error('shared/hash did not load');
  return mod;
}

describe('shared/hash', () => {
  it('hashes and signs with known answers', () => {
    const { sha256Hex, hmac } = freshHash();
    expect(sha256Hex('abc')).toBe(ABC_SHA256);
    expect(sha256Hex(Buffer.from('abc'))).toBe(ABC_SHA256);
    expect(hmac('sha256', 'Jefe', 'what do ya want for nothing?', 'hex')).toBe(RFC4231_2);
    expect(hmac('sha256', 'Jefe', 'what do ya want for nothing?', 'base64')).toBe(Buffer.from(RFC4231_2, 'hex').toString('base64'));
  });

  it('works on a Node 20 without process.getBuiltinModule and crypto.hash', () => {
    const processWithLoader = process as { getBuiltinModule?: unknown };
    const cryptoWithHash = nodeCrypto as { hash?: unknown };
    const loader = processWithLoader.getBuiltinModule;
    const oneShot = Object.getOwnPropertyDescriptor(nodeCrypto, 'hash');
    delete processWithLoader.getBuiltinModule;
    Object.defineProperty(nodeCrypto, 'hash', { value: undefined, configurable: true, writable: true });
    try {
      expect(cryptoWithHash.hash).toBeUndefined();
      const { sha256Hex, hmac } = freshHash();
      expect(sha256Hex('abc')).toBe(ABC_SHA256);
      expect(hmac('sha256', 'Jefe', 'what do ya want for nothing?', 'hex')).toBe(RFC4231_2);
    } finally {
      processWithLoader.getBuiltinModule = loader;
      if (oneShot) Object.defineProperty(nodeCrypto, 'hash', oneShot);
    }
  });
});
