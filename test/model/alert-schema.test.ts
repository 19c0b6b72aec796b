// The published JSON Schema of the alert model (shared/model/alert.schema.json) is the
// contract consumers validate against: every normalizer output must pass it, with a
// validator other than the zod schema it was generated from.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { normalizeEvent } from '../../shared/normalize';
import { ROOT, eventsOf, samples } from '../support/samples';

const schema = JSON.parse(readFileSync(join(ROOT, 'shared/model/alert.schema.json'), 'utf8'));
const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
const validate = ajv.compile(schema);

describe('every sample event normalizes to an alert valid against alert.schema.json', () => {
  const all = [...samples('aws'), ...samples('alibaba')];
  it.each(all.map((sample) => [sample.file, sample] as const))('%s', (_file, sample) => {
    for (const event of eventsOf(sample)) {
      const alert = normalizeEvent(event);
      const valid = validate(alert);
      expect(validate.errors ?? []).toEqual([]);
      expect(valid).toBe(true);
    }
  });
});

describe('the schema itself', () => {
  const alert = normalizeEvent(eventsOf(samples('aws')[0]!)[0]);

  it('refuses an unknown status, a wrong schemaVersion, an extra field and a zone-less time', () => {
    expect(validate({ ...alert, status: 'pending' })).toBe(false);
    expect(validate({ ...alert, schemaVersion: '2' })).toBe(false);
    expect(validate({ ...alert, surprise: true })).toBe(false);
    expect(validate({ ...alert, observedAt: '2022-06-07 17:22:01' })).toBe(false);
  });

  it('requires every field of the model', () => {
    for (const field of Object.keys(alert)) {
      const { [field]: _removed, ...rest } = alert as Record<string, unknown>;
      expect(validate(rest)).toBe(false);
    }
  });
});
