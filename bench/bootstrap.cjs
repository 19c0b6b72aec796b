// What the platforms do with a deployed function, in one plain node process: require the
// built handler (index.js) and call it with the platform's event shape and context, the way
// the Lambda runtime interface client and FC 3.0's Node runtime do. The bench starts one
// process per sample; this file is the whole process apart from the handler.
//
// Environment:
//   BENCH_HANDLER      the built index.js; unset: require nothing (the bare-node baseline)
//   BENCH_PLATFORM     lambda | fc (fc: the event is a Buffer, the context FC's)
//   BENCH_EVENT        the event file: one event (lambda), one CloudEvent or an array (fc)
//   BENCH_INVOCATIONS  invocations in a row (default 1: a cold start)
//   BENCH_MARKS        comma-separated invocation counts at which to sample memory
//   BENCH_TIMED        1: report each invocation's wall time (after the first)
//   BENCH_MEMORY_MB    the function's memory size in its context (default 256)
// The result is one JSON line on file descriptor 3.
'use strict';
const { readFileSync, writeSync } = require('node:fs');

const platform = process.env.BENCH_PLATFORM || 'lambda';
const invocations = Number(process.env.BENCH_INVOCATIONS || '1');
const marks = new Set((process.env.BENCH_MARKS || '').split(',').filter(Boolean).map(Number));
const timed = process.env.BENCH_TIMED === '1';
const memorySize = Number(process.env.BENCH_MEMORY_MB || '256');

let sequence = 0;
function context() {
  sequence += 1;
  const requestId = `bench-${process.pid}-${sequence}`;
  if (platform === 'fc') {
    return {
      requestId,
      credentials: {
        accessKeyId: process.env.ALIBABA_CLOUD_ACCESS_KEY_ID,
        accessKeySecret: process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET,
        securityToken: process.env.ALIBABA_CLOUD_SECURITY_TOKEN,
      },
      function: { name: 'bench', handler: 'index.handler', memory: memorySize, timeout: 60 },
      region: 'cn-hangzhou',
      accountId: '1234567890123456',
      logger: console,
    };
  }
  const deadline = Date.now() + 60_000;
  return {
    awsRequestId: requestId,
    functionName: 'bench',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:bench',
    memoryLimitInMB: String(memorySize),
    logGroupName: '/aws/lambda/bench',
    logStreamName: 'bench',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => deadline - Date.now(),
  };
}

function report(result) {
  const cpu = process.cpuUsage();
  writeSync(3, `${JSON.stringify({ ...result, cpuMs: (cpu.user + cpu.system) / 1000 })}\n`);
}

async function main() {
  if (!process.env.BENCH_HANDLER) return report({});
  const { handler } = require(process.env.BENCH_HANDLER);
  const raw = readFileSync(process.env.BENCH_EVENT);
  // Lambda deserializes the event into an object; FC hands the bytes over as they came.
  const event = () => (platform === 'fc' ? Buffer.from(raw) : JSON.parse(raw.toString('utf8')));
  const memory = [];
  const wallMs = [];
  const outcomes = [];
  for (let i = 1; i <= invocations; i += 1) {
    const started = process.hrtime.bigint();
    let result;
    try {
      result = await handler(event(), context());
    } catch (error) {
      // A failed invocation carries its reports; the bench refuses to time failures.
      result = error && error.reports ? error.reports : { error: String(error) };
    }
    if (timed && i > 1) wallMs.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (i === 1) outcomes.push(...summarize(result));
    if (marks.has(i)) {
      if (global.gc) global.gc();
      const usage = process.memoryUsage();
      // The young generation apart: V8 grows it to its cap as the allocation rate asks, which
      // the RSS shows as growth although nothing is retained.
      const young = require('node:v8').getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
      memory.push({
        invocations: i,
        peakRssKb: peakRssKb(),
        heapUsed: usage.heapUsed,
        external: usage.external,
        rss: usage.rss,
        youngGeneration: young ? young.space_size : 0,
      });
    }
  }
  report({ outcomes, memory, wallMs });
}

/**
 * The peak RSS of this process's own memory since its exec (VmHWM). Not getrusage's maxRSS:
 * Linux carries into it the RSS the process had before its exec, a copy of the parent forked
 * to start it, which for the bench is larger than most functions.
 */
function peakRssKb() {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number(match[1]);
  } catch {
    // Not Linux: getrusage's figure, with the caveat above.
  }
  return process.resourceUsage().maxRSS;
}

/** Each delivery of the first invocation as `target:outcome`, or the refusal. */
function summarize(result) {
  const reports = Array.isArray(result) ? result : [result];
  return reports.flatMap((r) =>
    r && Array.isArray(r.deliveries) ? r.deliveries.map((d) => `${d.target}:${d.outcome}`) : [`refused:${JSON.stringify(r && (r.error || r))}`],
  );
}

// Exit at once, as a frozen or recycled instance would: keep-alive sockets must not hold it.
main().then(() => process.exit(0), (error) => {
  process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
