import { intakeAlert } from '../../normalize';
import { defineCommand, noMoreArgs, requireArg } from '../command';
import { readEventFile } from '../events';

export default defineCommand({
  name: 'normalize',
  summary: 'print the normalized alert(s) of an event file as JSON',
  usage: 'FILE',
  description: 'One JSON object for a single event, a JSON array for a batch file. Nothing is routed or sent.',
  examples: ['normalize events/aws/state-change-single-metric.json'],
  async run(ctx) {
    const file = requireArg(ctx, 0, 'FILE (an event file)');
    noMoreArgs(ctx, 1);
    const value = await readEventFile(file);
    const alerts = Array.isArray(value) ? value.map((event) => intakeAlert(event)) : intakeAlert(value);
    ctx.print(JSON.stringify(alerts, null, 2));
    return 0;
  },
});
