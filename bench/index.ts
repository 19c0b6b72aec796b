// `npm run bench`: every benchmark the project ships, one after the other, in fresh
// processes. Each reports ratios against a baseline it measures in the same run.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const TSX = join(__dirname, '..', 'node_modules', '.bin', 'tsx');
const runs: [string, string[], string[]][] = [
  ['throughput.ts', ['--expose-gc'], []],
  ['cold-start.ts', [], ['--runs', process.env.BENCH_RUNS ?? '9']],
];

let failed = false;
for (const [file, nodeArgs, args] of runs) {
  const result = spawnSync(TSX, [...nodeArgs, join(__dirname, file), ...args], { stdio: 'inherit' });
  failed ||= result.status !== 0;
  console.log();
}
process.exit(failed ? 1 : 0);
