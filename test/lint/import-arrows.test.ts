// The lint rule that holds DESIGN.md's import arrows (eslint.config.mjs) refuses imports
// against them and lets imports along them pass: the real config, through ESLint's own API.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../support/samples';

interface Message {
  ruleId: string | null;
  message: string;
}

// Existing paths: the type-checked rules lint only files of the TypeScript project.
const REFUSED: Array<[string, string]> = [
  ['shared/route/tree.ts', "import { lambdaHandler } from '../runtime/handler';\nexport const probe = lambdaHandler;\n"],
  ['shared/route/tree.ts', "import { normalizeEvent } from '../normalize';\nexport const probe = normalizeEvent;\n"],
  ['shared/targets/registry.ts', "import { deliver } from '../dispatch';\nexport const probe = deliver;\n"],
  ['shared/model/errors.ts', "import { createLogger } from '../log';\nexport const probe = createLogger;\n"],
  ['shared/dispatch/index.ts', "import { handler } from '../../functions/aws/alarm-state-change';\nexport const probe = handler;\n"],
  ['shared/cli/main.ts', "import { handler } from '../../functions/aws/alarm-state-change';\nexport const probe = handler;\n"],
  ['functions/aws/alarm-state-change.ts', "import { normalizeEvent } from '../../shared/normalize';\nexport const probe = normalizeEvent;\n"],
];
const ALLOWED: Array<[string, string]> = [
  ['shared/runtime/router.ts', "import { normalizeEvent } from '../normalize';\nexport const probe = normalizeEvent;\n"],
  ['shared/dispatch/index.ts', "import { registry } from '../targets/registry';\nexport const probe = registry;\n"],
  ['shared/route/tree.ts', "import type { Alert } from '../model/alert';\nexport type Probe = Alert;\n"],
];

let results: Message[][];

beforeAll(async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [join(__dirname, 'lint-probe.mjs'), JSON.stringify([...REFUSED, ...ALLOWED])], {
    cwd: ROOT,
    timeout: 180_000,
    maxBuffer: 10 * 1024 * 1024,
  });
  results = JSON.parse(stdout) as Message[][];
}, 200_000);

const restricted = (i: number) => results[i]!.filter((message) => message.ruleId === 'no-restricted-imports');
/** A file ESLint could not lint (a parse error has no rule): its silence would prove nothing. */
const fatal = (i: number) => results[i]!.filter((message) => message.ruleId === null);

describe('the import arrows', () => {
  it.each(REFUSED.map(([file, source], i) => [file, source.split('\n')[0]!, i] as const))('%s may not %s', (_file, _source, i) => {
    expect(fatal(i)).toEqual([]);
    expect(restricted(i)).toHaveLength(1);
  });

  it.each(ALLOWED.map(([file, source], i) => [file, source.split('\n')[0]!, REFUSED.length + i] as const))('%s may %s', (_file, _source, i) => {
    expect(fatal(i)).toEqual([]);
    expect(restricted(i)).toEqual([]);
  });
});
