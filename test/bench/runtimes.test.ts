// The bench runs each platform's processes on the Node major its template deploys: the
// runtimes are read from the real serverless.yml and s.yaml, and an s.yaml whose functions
// disagree is refused rather than measured on one of them.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fcRuntime, lambdaRuntime } from '../../bench/runtimes';
import { ROOT, removeTemporaryDirectories, temporaryDirectory } from '../iac/support';

afterAll(removeTemporaryDirectories);

it('reads the runtimes and memory sizes serverless.yml and s.yaml deploy', () => {
  expect(lambdaRuntime(ROOT)).toEqual({ runtime: 'nodejs24.x', major: 24, memoryMb: 256 });
  expect(fcRuntime(ROOT)).toEqual({ runtime: 'nodejs20', major: 20, memoryMb: 256 });
});

it('refuses an s.yaml whose functions run on different runtimes, and a runtime that is not Node', () => {
  const dir = temporaryDirectory('bench-runtimes');
  cpSync(join(ROOT, 's.yaml'), join(dir, 's.yaml'));
  const sYaml = readFileSync(join(dir, 's.yaml'), 'utf8');
  // The functions after the first merge its props (<<): one of them on another runtime.
  writeFileSync(join(dir, 's.yaml'), sYaml.replace(/(<<: \*function\n)/, '$1      runtime: nodejs18\n'));
  expect(() => fcRuntime(dir)).toThrow(/runtime values are \["nodejs20","nodejs18"\], not one/);
  writeFileSync(join(dir, 'serverless.yml'), 'provider:\n  runtime: python3.12\n  memorySize: 256\n');
  expect(() => lambdaRuntime(dir)).toThrow(/provider.runtime is "python3.12", not nodejsNN.x/);
});
