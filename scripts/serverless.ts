// `npm run package` and `npm run deploy:aws`: the Serverless Framework command, with this
// project's `--config FILE` taken as the router.yaml to build and ship (serverless.yml's
// `routerConfig` parameter) instead of serverless's own --config (its service file).
// Every other argument goes to serverless as given.
//
//   npm run package -- --config path/to/router.yaml --stage prod
//   npm run deploy:aws -- --config path/to/router.yaml --stage prod --region eu-west-1
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

export function serverlessArgs(command: string, args: string[]): string[] {
  const rest: string[] = [];
  let config: string | undefined;
  const queue = args[Symbol.iterator]();
  for (const arg of queue) {
    if (arg === '--config' || arg === '-c') {
      config = queue.next().value;
      if (config === undefined) throw new Error(`${arg} needs a file: the router.yaml to build and ship`);
    } else if (arg.startsWith('--config=')) config = arg.slice('--config='.length);
    else rest.push(arg);
  }
  return [command, ...rest, ...(config === undefined ? [] : [`--param=routerConfig=${resolve(config)}`])];
}

if (require.main === module) {
  const [command, ...args] = process.argv.slice(2);
  if (command === undefined) {
    console.error('usage: tsx scripts/serverless.ts <package|deploy> [--config router.yaml] [serverless options]');
    process.exit(2);
  }
  const bin = require.resolve('serverless/bin/serverless.js');
  const result = spawnSync(process.execPath, [bin, ...serverlessArgs(command, args)], {
    stdio: 'inherit',
    env: { ...process.env, SLS_TELEMETRY_DISABLED: '1' },
  });
  process.exit(result.status ?? 1);
}
