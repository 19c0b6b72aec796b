// Writes the published JSON Schemas: router.schema.json (for editors, from the zod schema of
// router.yaml plus each target type's settings) and shared/model/alert.schema.json (the
// normalized alert). Run `npm run schema` after changing a schema or adding a target type;
// test/route/schema-files.test.ts fails while the committed files are out of date.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { alertSchema } from '../shared/model/alert';
import { COMMON_TARGET_KEYS, commonTargetShape, routerFileSchema } from '../shared/route/schema';
import type { TargetType } from '../shared/targets/contract';
import { targetTypes } from '../shared/targets/registry';

const ROOT = join(__dirname, '..');

type JsonSchema = Record<string, unknown>;

/** What any string setting may also be: secret references are resolved before validation. */
const REFERENCE_PATTERN = '\\$\\{env:[A-Za-z_][A-Za-z0-9_]*\\}';
const WITH_REFERENCE: JsonSchema = {
  type: 'string',
  pattern: REFERENCE_PATTERN,
  description: 'Contains ${env:NAME} references, resolved when the file is loaded',
};
const SECRET_REFERENCE: JsonSchema = {
  type: 'string',
  pattern: REFERENCE_PATTERN,
  description: 'A secret: a reference like ${env:NAME}, never a literal',
};
const STRING_CONSTRAINTS = ['format', 'pattern', 'enum', 'const', 'minLength', 'maxLength'];

/** path (relative to the repository root) -> JSON Schema. */
export async function generateSchemas(): Promise<Record<string, object>> {
  return {
    'router.schema.json': routerJsonSchema(await availableTargetTypes()),
    'shared/model/alert.schema.json': z.toJSONSchema(alertSchema, { target: 'draft-2020-12' }),
  };
}

/** The registered target types whose module exists; the others are listed by name only. */
async function availableTargetTypes(): Promise<Map<string, TargetType | undefined>> {
  const types = new Map<string, TargetType | undefined>();
  for (const [name, load] of Object.entries(targetTypes)) {
    try {
      types.set(name, (await load()).default);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'MODULE_NOT_FOUND' && code !== 'ERR_MODULE_NOT_FOUND') throw error;
      types.set(name, undefined);
    }
  }
  return types;
}

function routerJsonSchema(types: Map<string, TargetType | undefined>): JsonSchema {
  const variants = [...types].flatMap(([name, type]) => (type ? [typedTarget(name, type)] : []));
  const missing = [...types].filter(([, type]) => !type).map(([name]) => name);
  if (missing.length > 0) {
    variants.push(z.looseObject({ ...commonTargetShape, type: z.enum(missing as [string, ...string[]]) }));
  }
  const target = z.discriminatedUnion('type', variants as [z.ZodObject, ...z.ZodObject[]]);
  const schema = z.toJSONSchema(routerFileSchema(target), { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' });
  const union = ((schema.properties as JsonSchema).targets as JsonSchema).additionalProperties as JsonSchema;
  union.oneOf = (union.oneOf as JsonSchema[]).map((variant) => {
    const type = types.get(((variant.properties as JsonSchema).type as JsonSchema).const as string);
    return type ? withReferences(variant, type.secretKeys ?? []) : variant;
  });
  return schema;
}

/** One target type: the common keys and the type's own settings, as strict as the settings are. */
function typedTarget(name: string, type: TargetType): z.ZodObject {
  const { type: _type, ...policy } = commonTargetShape;
  if (!(type.settings instanceof z.ZodObject)) return z.looseObject({ type: z.literal(name), ...policy });
  const base = z.object({ type: z.literal(name), ...type.settings.shape, ...policy });
  const { catchall } = type.settings._zod.def;
  return catchall ? base.catchall(catchall) : base;
}

/** Lets every constrained string setting also be a reference, and secret keys only that. */
function withReferences(variant: JsonSchema, secretKeys: readonly string[]): JsonSchema {
  const properties = { ...(variant.properties as Record<string, JsonSchema>) };
  for (const [key, value] of Object.entries(properties)) {
    if (!(COMMON_TARGET_KEYS as readonly string[]).includes(key)) properties[key] = allowReferences(value) as JsonSchema;
  }
  for (const key of secretKeys) {
    const [head, ...rest] = key.split('.');
    if (head !== undefined && properties[head]) properties[head] = replaceAt(properties[head], rest, SECRET_REFERENCE);
  }
  return { ...variant, properties };
}

function allowReferences(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(allowReferences);
  if (typeof node !== 'object' || node === null) return node;
  const schema = node as JsonSchema;
  if (schema.type === 'string' && STRING_CONSTRAINTS.some((key) => key in schema)) {
    const { description, default: fallback, ...constrained } = schema;
    return {
      ...(description !== undefined ? { description } : {}),
      ...(fallback !== undefined ? { default: fallback } : {}),
      anyOf: [constrained, WITH_REFERENCE],
    };
  }
  return Object.fromEntries(
    Object.entries(schema).map(([key, value]) =>
      ['properties', 'patternProperties'].includes(key)
        ? [key, Object.fromEntries(Object.entries(value as JsonSchema).map(([k, v]) => [k, allowReferences(v)]))]
        : ['items', 'additionalProperties', 'anyOf', 'oneOf', 'allOf'].includes(key)
          ? [key, allowReferences(value)]
          : [key, value],
    ),
  );
}

function replaceAt(node: JsonSchema, path: readonly string[], replacement: JsonSchema): JsonSchema {
  const [head, ...rest] = path;
  if (head === undefined) return { ...replacement, ...(node.description ? { description: node.description } : {}) };
  const properties = node.properties as Record<string, JsonSchema> | undefined;
  if (!properties?.[head]) return node;
  return { ...node, properties: { ...properties, [head]: replaceAt(properties[head], rest, replacement) } };
}

export async function writeSchemas(): Promise<string[]> {
  const schemas = await generateSchemas();
  for (const [path, schema] of Object.entries(schemas)) {
    writeFileSync(join(ROOT, path), `${JSON.stringify(schema, null, 2)}\n`);
  }
  return Object.keys(schemas);
}

if (require.main === module) {
  writeSchemas().then(
    (paths) => {
      console.log(`wrote ${paths.join(', ')}`);
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
