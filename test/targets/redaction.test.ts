// Redaction of secrets in every form they take on the wire (shared/log.ts secretForms).
import { redact, registerSecret, secretForms } from '../../shared/log';

describe('a registered secret is redacted in every wire form', () => {
  const token = 'xoxb-1234567890-redaction-test';
  const webhook = 'https://hooks.slack.com/services/T0A1B2C3D/B0A1B2C3D/abcdEFGHijklMNOPqrstUVWX';
  const lark = 'https://open.feishu.cn/open-apis/bot/v2/hook/0f8e7d6c-5b4a-4392-8170-6e5d4c3b2a19';
  beforeAll(() => {
    for (const secret of [token, webhook, lark, 'p@ss word/+=?&', " Bearer ~tok'en(1)!234567 ", 'https://oapi.dingtalk.com/robot/send?access_token=dtTok~en1234567890']) registerSecret(secret);
  });

  it.each([
    ['trimmed, as a server echoes a header value', "Bearer ~tok'en(1)!234567"],
    ['form-encoded by URLSearchParams (~ ! \' ( ) encoded)', new URLSearchParams({ k: "Bearer ~tok'en(1)!234567" }).toString().slice(2)],
    ['in a query, as the URL parser encodes it', new URL("https://h/?t=Bearer ~tok'en(1)!234567").search],
    ['a token of a secret URL, as URLSearchParams sends it', new URLSearchParams({ access_token: 'dtTok~en1234567890' }).toString()],
  ])('%s', (_form, text) => {
    // No blank around it: an echoed header value has none.
    const out = redact(`{"authorization":"${text}"}`);
    expect(out).toContain('[REDACTED]');
    expect(out).not.toMatch(/tok('|%27)en|dtTok/i);
  });

  it.each([
    ['as is', token],
    ['percent-encoded', encodeURIComponent(webhook)],
    ['percent-encoded in lower case', encodeURIComponent('p@ss word/+=?&').replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase())],
    ['form-encoded', encodeURIComponent('p@ss word/+=?&').replace(/%20/g, '+')],
    ['JSON-escaped', JSON.stringify('p@ss word/+=?&').slice(1, -1)],
    ['base64 (an Authorization header)', Buffer.from(token).toString('base64')],
    ['base64url', Buffer.from(token).toString('base64url')],
    ['the token segment of a Slack webhook path', 'abcdEFGHijklMNOPqrstUVWX'],
    ['the token segment of a Lark webhook path', '/open-apis/bot/v2/hook/0f8e7d6c-5b4a-4392-8170-6e5d4c3b2a19'],
  ])('%s', (_form, text) => {
    const out = redact(`server said: ${text} (end)`);
    expect(out).toContain('[REDACTED]');
    expect(out).not.toContain('abcdEFGH');
    expect(out).not.toContain('0f8e7d6c');
  });

  it('registers no part of a secret as a form of it (a # would cut a URL query short)', () => {
    expect(secretForms('user#2024-secret-value')).not.toContain('user');
  });

  it('keeps the words of a URL path that are no credential', () => {
    expect(redact('POST /services/ and /open-apis/bot/v2/hook/')).toBe('POST /services/ and /open-apis/bot/v2/hook/');
    expect(secretForms(webhook)).not.toContain('services');
  });
});
