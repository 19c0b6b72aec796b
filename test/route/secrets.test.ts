// Secret references in target settings: resolved from the environment at load, registered
// for redaction, required for secret keys, and never echoed by any error.
import { z } from 'zod';
import { createLogger, redact } from '../../shared/log';
import { ConfigError } from '../../shared/model/errors';
import { parseConfig } from '../../shared/route/config';
import type { TargetType } from '../../shared/targets/contract';
import { targetTypes } from '../../shared/targets/registry';
import { captureLogs } from '../support/logs';

// A careless target type whose validation message repeats the value it was given: the
// loader must still never let that value out.
const hookType: TargetType = {
  type: 'test-hook',
  settings: z
    .object({
      url: z.string().startsWith('https://'),
      token: z.string().refine((value) => value.startsWith('tok_'), { error: (issue) => `token ${String(issue.input)} must start with tok_` }),
      headers: z.record(z.string(), z.string()).default({}),
      auth: z.object({ user: z.string(), password: z.string() }).strict().optional(),
      tags: z.array(z.string()).default([]),
    })
    .strict(),
  secretKeys: ['token', 'auth.password'],
  create: () => ({ send: async () => ({ outcome: 'delivered' }) }),
};
beforeAll(() => {
  targetTypes['test-hook'] = async () => ({ default: hookType as TargetType<never> });
});
afterAll(() => {
  delete targetTypes['test-hook'];
});

const ENV = {
  HOOK_HOST: 'hooks.example.com',
  HOOK_TOKEN: 'tok_9f8e7d6c5b4a',
  HOOK_BEARER: 'bearer-1a2b3c4d5e6f',
  HOOK_PASSWORD: 'pw-0011223344',
  BAD_TOKEN: 'xyz-secret-0987654321',
};
const SECRETS = Object.values(ENV);

function config(settings: string): string {
  return `version: 1\ntargets:\n  hook:\n    type: test-hook\n${settings.replace(/^/gm, '    ')}\nroute:\n  targets: [hook]\n`;
}

async function refusal(text: string, env: Record<string, string> = ENV): Promise<ConfigError> {
  const error = await parseConfig(text, 'router.yaml', env).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof ConfigError)) throw new Error(`expected a ConfigError, got ${String(error)}`);
  return error;
}

/** Every rendering of the error a user or a log could see. */
function everyRendering(error: ConfigError): string {
  return [error.message, error.problem, error.path, String(error), JSON.stringify({ ...error, message: error.message })].join('\n');
}

describe('resolution', () => {
  it('resolves whole-value and embedded references anywhere in the settings, and $${ as a literal ${', async () => {
    const { targets } = await parseConfig(
      config(
        [
          'url: https://${env:HOOK_HOST}/alerts',
          'token: ${env:HOOK_TOKEN}',
          'headers: { Authorization: "Bearer ${env:HOOK_BEARER}" }',
          'auth: { user: router, password: "${env:HOOK_PASSWORD}" }',
          "tags: ['${env:HOOK_HOST}', 'cost: $${not-a-reference}']",
        ].join('\n'),
      ),
      'router.yaml',
      ENV,
    );
    expect(targets.hook!.settings).toEqual({
      url: 'https://hooks.example.com/alerts',
      token: ENV.HOOK_TOKEN,
      headers: { Authorization: `Bearer ${ENV.HOOK_BEARER}` },
      auth: { user: 'router', password: ENV.HOOK_PASSWORD },
      tags: ['hooks.example.com', 'cost: ${not-a-reference}'],
    });
  });

  it('registers every resolved value, so no log line carries it', async () => {
    const { targets } = await parseConfig(
      config('url: https://${env:HOOK_HOST}/\ntoken: ${env:HOOK_TOKEN}\nauth: { user: u, password: "${env:HOOK_PASSWORD}" }'),
      'router.yaml',
      ENV,
    );
    const logs = captureLogs();
    try {
      createLogger().info('prepared target', { settings: targets.hook!.settings });
    } finally {
      logs.restore();
    }
    expect(logs.lines).toHaveLength(1);
    for (const secret of [ENV.HOOK_TOKEN, ENV.HOOK_PASSWORD]) {
      expect(logs.lines[0]).not.toContain(secret);
      expect(redact(`value=${secret}`)).toBe('value=[REDACTED]');
    }
    expect(logs.lines[0]).toContain('[REDACTED]');
  });
});

describe('refusals', () => {
  it('names the path and the variable of a missing reference, never another value', async () => {
    const error = await refusal(config('url: https://${env:HOOK_HOST}/\ntoken: ${env:HOOK_TOKNE}'));
    expect(error.path).toBe('targets.hook.token');
    expect(error.line).toBe(6);
    expect(error.problem).toBe('environment variable HOOK_TOKNE is not set (referenced as ${env:HOOK_TOKNE})');
    for (const secret of SECRETS) expect(everyRendering(error)).not.toContain(secret);
  });

  it.each([
    ['', 'environment variable SHORT is empty; a referenced value must be long enough to be redacted from logs'],
    ['abc', 'environment variable SHORT is shorter than 4 characters; a referenced value must be long enough to be redacted from logs'],
  ])('refuses a variable set to %j', async (value, problem) => {
    const error = await refusal(config('url: https://x/\ntoken: ${env:SHORT}'), { ...ENV, SHORT: value });
    expect(error.problem).toBe(problem);
  });

  it.each([
    ['token: tok_literal_value', 'targets.hook.token', 6],
    ['token: ${env:HOOK_TOKEN}\nauth: { user: u, password: hunter2-literal }', 'targets.hook.auth.password', 7],
    ['token: 12345678', 'targets.hook.token', 6],
  ])('refuses a literal where the type wants a secret: %j', async (settings, path, line) => {
    const error = await refusal(config(`url: https://x/\n${settings}`));
    expect({ path: error.path, line: error.line, problem: error.problem }).toEqual({
      path,
      line,
      problem: 'must be a secret reference like ${env:NAME}, not a literal',
    });
    expect(error.message).not.toContain('literal_value');
    expect(error.message).not.toContain('hunter2');
  });

  it('accepts a secret key whose value embeds a reference', async () => {
    const { targets } = await parseConfig(config('url: https://x/\ntoken: "tok_${env:HOOK_PASSWORD}"'), 'router.yaml', ENV);
    expect((targets.hook!.settings as { token: string }).token).toBe(`tok_${ENV.HOOK_PASSWORD}`);
  });

  it('never lets a resolved secret out of a validation message, even one that echoes its input', async () => {
    const error = await refusal(config('url: https://x/\ntoken: ${env:BAD_TOKEN}'));
    expect(error.path).toBe('targets.hook.token');
    expect(error.problem).toBe('token [REDACTED] must start with tok_');
    for (const secret of SECRETS) expect(everyRendering(error)).not.toContain(secret);
  });

  it('does not quote a resolved value when its type is wrong', async () => {
    const error = await refusal(config('url: ${env:HOOK_BEARER}\ntoken: ${env:HOOK_TOKEN}'));
    expect(error.path).toBe('targets.hook.url');
    for (const secret of SECRETS) expect(everyRendering(error)).not.toContain(secret);
  });

  it.each([
    ['token: ${env:HOOK_TOKEN', 'unclosed reference "${env:HOOK_TOKEN": write ${env:NAME}, or $${ for a literal ${'],
    ['token: ${HOOK_TOKEN}', 'unsupported reference "${HOOK_TOKEN}": only ${env:NAME} is supported'],
    ['token: ${env:1BAD}', 'unsupported reference "${env:1BAD}": only ${env:NAME} is supported'],
  ])('refuses a malformed reference: %s', async (settings, problem) => {
    const error = await refusal(config(`url: https://x/\n${settings}`));
    expect({ path: error.path, problem: error.problem }).toEqual({ path: 'targets.hook.token', problem });
  });
});

describe('a real target type', () => {
  it('resolves the webhook signing secret and refuses it as a literal', async () => {
    const text = (secret: string) =>
      `version: 1\ntargets:\n  ops-hook:\n    type: webhook\n    url: https://hooks.example.com/alerts\n    secret: ${secret}\nroute:\n  targets: [ops-hook]\n`;
    const env = { OPS_HOOK_SECRET: 'whsec-0123456789abcdef' };
    const { targets } = await parseConfig(text('${env:OPS_HOOK_SECRET}'), 'router.yaml', env);
    expect((targets['ops-hook']!.settings as { secret: string }).secret).toBe(env.OPS_HOOK_SECRET);
    const error = await refusal(text('whsec-literal-0123456789'), env);
    expect(error.message).toBe('router.yaml:6: targets.ops-hook.secret: must be a secret reference like ${env:NAME}, not a literal');
  });
});
