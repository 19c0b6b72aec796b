// The logger's lines: one JSON object each, the level, time and message first, then the
// logger's fields and the line's (a line's field wins over a logger's of the same name),
// Error values as their name and message, secrets redacted, nothing below the level.
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

  it('writes nothing below the level', () => {
    setLogLevel('warn');
    const log = createLogger().child({ a: 1 });
    log.debug('d');
    log.info('i');
    log.warn('w');
    expect(lines.map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual(['w']);
  });
});
