// Writes each alert to stdout: one JSON line (for log pipelines, CloudWatch Logs / SLS
// queries) or one human line. Useful as a catch-all route and for local runs.
import { z } from 'zod';
import type { Alert } from '../../model/alert';
import { defineTarget } from '../contract';
import { classifyError } from '../errors';

const settings = z
  .object({
    format: z.enum(['json', 'text']).default('json'),
  })
  .strict();

/** `[FIRING] critical cpu-high: CPU above 90% (aws.cloudwatch, 123456789012/us-east-1)` */
function textLine(alert: Alert): string {
  const where = [alert.account, alert.region].filter(Boolean).join('/');
  const origin = where ? `${alert.provider}, ${where}` : alert.provider;
  const summary = alert.summary.replace(/\s+/g, ' ').trim();
  return `[${alert.status.toUpperCase()}] ${alert.severity} ${alert.name}${summary ? `: ${summary}` : ''} (${origin})`;
}

function consoleLine(alert: Alert, format: 'json' | 'text', name: string): string {
  return format === 'text' ? textLine(alert) : JSON.stringify({ target: name, alert });
}

let output: NodeJS.WritableStream = process.stdout;

/**
 * Where console targets write: stdout on the platforms (their log pipelines read it); the
 * command line moves it to stderr so that its stdout carries only the command's output.
 */
export function setConsoleOutput(stream: NodeJS.WritableStream): void {
  output = stream;
}

function writeLine(line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    output.write(`${line}\n`, (err) => {
      if (err) reject(err);
      else resolve();
    });
  });
}

export default defineTarget({
  type: 'console',
  settings,
  render: (alert, config, name = 'console') => consoleLine(alert, config.format, name),
  create(config, runtime) {
    return {
      async send(alert) {
        try {
          await writeLine(consoleLine(alert, config.format, runtime.name));
          return { outcome: 'delivered', detail: output === process.stdout ? 'written to stdout' : 'written to stderr' };
        } catch (err) {
          return classifyError(err);
        }
      },
    };
  },
});
