import { build } from 'esbuild';
(async () => {
  await build({ absWorkingDir: '/work/wt/perf', entryPoints: { index: 'functions/aws/alarm-state-change.ts' }, outdir: '/tmp/px/unmin', bundle: true, platform: 'node', target: 'node20', format: 'cjs', minify: false, logLevel: 'error', external: ['@aws-sdk/*', '@alicloud/*', 'proxy-agent'] });
})();
