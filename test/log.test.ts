// The logger's lines: one JSON object each, the level, time and message first, then the
// logger's fields and the line's (a line's field wins over a logger's of the same name),
// Error values as their name and message, secrets redacted, nothing below the level.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createLogger, registerSecret, setLogLevel, setLogSink } from '../shared/log';

describe('log lines', () => {
  let lines: string[];
  beforeEach(() => {
    lines = [];
    setLogSink((line) => lines.push(line));
    setLogLevel('info');
  });
  afterAll(() => setLogLevel('info'));

  it('writes level, time, message, the logger fields and the line fields, in that order', () => {
    const log = createLogger({ handler: 'h', requestId: 'r' }).child({ target: 't' });
    log.info('delivery report', { report: { ok: true, deliveries: [{ target: 't' }] }, n: 1 });
    log.warn('no fields');
    const [first, second] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(Object.keys(first!)).toEqual(['level', 'time', 'msg', 'handler', 'requestId', 'target', 'report', 'n']);
    expect(first).toEqual({
      level: 'info',
      time: first!.time,
      msg: 'delivery report',
      handler: 'h',
      requestId: 'r',
      target: 't',
      report: { ok: true, deliveries: [{ target: 't' }] },
      n: 1,
    });
    expect(new Date(first!.time as string).toISOString()).toBe(first!.time);
    expect(second).toEqual({ level: 'warn', time: second!.time, msg: 'no fields', handler: 'h', requestId: 'r', target: 't' });
  });

  it('lets a line field replace a logger field or the message of the same name, once', () => {
    const log = createLogger({ handler: 'h', attempt: 1 });
    log.info('m', { attempt: 2 });
    log.info('m', { msg: 'replaced' });
    createLogger({ level: 'custom' }).error('e');
    expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual([
      { level: 'info', time: expect.any(String) as unknown, msg: 'm', handler: 'h', attempt: 2 },
      { level: 'info', time: expect.any(String) as unknown, msg: 'replaced', handler: 'h', attempt: 1 },
      { level: 'custom', time: expect.any(String) as unknown, msg: 'e' },
    ]);
    expect(lines[0]!.match(/"attempt":/g)).toHaveLength(1);
    expect(lines[1]!.match(/"msg":/g)).toHaveLength(1);
  });

  it('writes an Error field as its name and message, and redacts registered secrets', () => {
    registerSecret('s3cr3t-token-value');
    createLogger({ cause: new TypeError('base failed') }).error('failed', { error: new RangeError('with s3cr3t-token-value inside') });
    expect(JSON.parse(lines[0]!)).toMatchObject({ cause: { name: 'TypeError', message: 'base failed' }, error: { name: 'RangeError', message: 'with [REDACTED] inside' } });
    expect(lines[0]).not.toContain('s3cr3t');
  });

  it('leaves out the fields JSON leaves out, as a spread of the fields into one object would', () => {
    const log = createLogger({ handler: 'h', gone: 'x', fn: () => 1 });
    log.info('m', { absent: undefined, list: [undefined, 1], at: new Date(0), nested: { u: undefined, n: null } });
    log.info('m', { gone: undefined });
    expect(lines[0]).toBe(
      `{"level":"info","time":${JSON.stringify((JSON.parse(lines[0]!) as { time: string }).time)},"msg":"m","handler":"h","gone":"x","list":[null,1],"at":"1970-01-01T00:00:00.000Z","nested":{"n":null}}`,
    );
    expect(JSON.parse(lines[1]!)).toEqual({ level: 'info', time: expect.any(String) as unknown, msg: 'm', handler: 'h' });
  });

  it('takes a logger field as it was when the logger was made, and redacts a secret registered after its first line', () => {
    const base: Record<string, unknown> = { handler: 'h', url: 'https://hooks.example.com/services/T0/B0/late-registered-token-1' };
    const log = createLogger(base);
    base.handler = 'changed';
    log.info('first');
    registerSecret('https://hooks.example.com/services/T0/B0/late-registered-token-1');
    log.info('second');
    expect(JSON.parse(lines[0]!)).toMatchObject({ handler: 'h' });
    expect(JSON.parse(lines[1]!)).toMatchObject({ handler: 'h', url: '[REDACTED]' });
    expect(lines[1]).not.toContain('late-registered-token');
  });

  it('writes nothing below the level, and serializes no field there', () => {
    setLogLevel('warn');
    const log = createLogger().child({ a: 1 });
    const toJSON = jest.fn(() => ({}));
    log.debug('d');
    log.info('i', { report: { toJSON } });
    expect(toJSON).not.toHaveBeenCalled();
    log.warn('w');
    expect(lines.map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual(['w']);
  });
});

describe('log lines on stdout', () => {
  /** A process that logs `count` lines while its stdout, a pipe, is not read; then what it wrote. */
  function logThroughAFullPipe(count: number, openStreamFirst: boolean): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const script = `
      ${openStreamFirst ? 'process.stdout;' : ''}
      const { createLogger } = require(${JSON.stringify(join(__dirname, '..', 'shared', 'log.ts'))});
      const log = createLogger({ handler: 'pipe-test' });
      for (let i = 0; i < ${count}; i += 1) log.info('line', { i, pad: 'x'.repeat(200) + '\u00e9' });
    `;
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
      // Bytes, decoded once at the end: a chunk may end inside a character.
      const stdout: Buffer[] = [];
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      // Read nothing until the pipe has had time to fill: the writer meets a full pipe.
      child.stdout.pause();
      setTimeout(() => {
        child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
        child.stdout.resume();
      }, 500);
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout: Buffer.concat(stdout).toString('utf8'), stderr }));
    });
  }

  it.each([
    // spawn() makes the pipe non-blocking: a full one refuses a write or takes part of it.
    ['a full pipe (the refused or short write and every line after it go through process.stdout)', false],
    ['a full pipe process.stdout was opened on before the first line', true],
  ])('writes every line whole and in order to %s', async (_, openStreamFirst) => {
    // About 250 bytes a line: 2,000 lines are several times a pipe's 64 KiB buffer.
    const { code, stdout, stderr } = await logThroughAFullPipe(2000, openStreamFirst);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const records = stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as { i: number; pad: string });
    expect(records.map((r) => r.i)).toEqual([...Array(2000).keys()]);
    expect(records.every((r) => r.pad === 'x'.repeat(200) + '\u00e9')).toBe(true);
  }, 30_000);
});
