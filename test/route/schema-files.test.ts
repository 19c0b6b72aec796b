// The committed JSON Schemas are generated: they must equal what scripts/gen-schemas.ts
// produces now. When this fails, run `npm run schema` and commit the result.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSchemas } from '../../scripts/gen-schemas';

const ROOT = join(__dirname, '..', '..');

describe('committed schema files are up to date', () => {
  let generated: Record<string, object>;
  beforeAll(async () => {
    generated = await generateSchemas();
  });

  it('generates router.schema.json and shared/model/alert.schema.json', () => {
    expect(Object.keys(generated).sort()).toEqual(['router.schema.json', 'shared/model/alert.schema.json']);
  });

  it.each(['router.schema.json', 'shared/model/alert.schema.json'])('%s', (path) => {
    const committed: unknown = JSON.parse(readFileSync(join(ROOT, path), 'utf8'));
    expect(committed).toEqual(generated[path]);
  });

  it('publishes draft 2020-12 schemas', () => {
    for (const schema of Object.values(generated)) {
      expect((schema as { $schema?: string }).$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    }
  });
});
