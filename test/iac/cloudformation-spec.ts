// Validates a CloudFormation template against the CloudFormation resource specification
// that @aws-cdk/aws-service-spec ships (the database the CDK generates its L1 constructs
// from): every resource type exists, every property is one the type has, every required
// property is set, every value has the property's type (strings, numbers, booleans, lists,
// maps, nested property types, allowed values), and every Ref and Fn::GetAtt names a
// parameter, a pseudo parameter, a resource or an attribute that resource's type has.
import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';

type SpecType =
  | { type: 'string' | 'number' | 'integer' | 'boolean' | 'json' | 'tag' | 'date-time' | 'null'; allowedValues?: string[] }
  | { type: 'array' | 'map'; element: SpecType }
  | { type: 'ref'; reference: { $ref: string } }
  | { type: 'union'; types: SpecType[] };
interface SpecProperty {
  type: SpecType;
  required?: boolean;
}
interface SpecResource {
  properties: Record<string, SpecProperty>;
  attributes: Record<string, unknown>;
}
interface SpecTypeDefinition {
  name: string;
  properties: Record<string, SpecProperty>;
}

interface Template {
  Parameters?: Record<string, unknown>;
  Conditions?: Record<string, unknown>;
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; Condition?: string; DependsOn?: string | string[] }>;
  Outputs?: Record<string, unknown>;
}

const PSEUDO_PARAMETERS = ['AWS::AccountId', 'AWS::NotificationARNs', 'AWS::NoValue', 'AWS::Partition', 'AWS::Region', 'AWS::StackId', 'AWS::StackName', 'AWS::URLSuffix'];
const INTRINSICS = ['Ref', 'Fn::GetAtt', 'Fn::Join', 'Fn::Sub', 'Fn::If', 'Fn::Select', 'Fn::Split', 'Fn::ImportValue', 'Fn::FindInMap', 'Fn::GetAZs', 'Fn::Base64', 'Fn::Cidr'];

let db: ReturnType<typeof loadAwsServiceSpecSync> | undefined;
const spec = () => (db ??= loadAwsServiceSpecSync());

function resourceSpec(type: string): SpecResource | undefined {
  const found = spec().lookup('resource', 'cloudFormationType', 'equals', type);
  return found.length === 1 ? (found[0] as unknown as SpecResource) : undefined;
}

const isIntrinsic = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 1 && INTRINSICS.includes(Object.keys(value)[0]!);

/** The problems of a template, each as `path: problem`; none when it is valid. */
export function validateTemplate(template: Template): string[] {
  const problems: string[] = [];
  const names = new Set([...Object.keys(template.Parameters ?? {}), ...Object.keys(template.Resources), ...PSEUDO_PARAMETERS]);

  /** Checks the Ref and Fn::GetAtt inside an intrinsic; the value it yields is taken as valid. */
  const checkIntrinsic = (value: Record<string, unknown>, path: string, expected?: SpecType): void => {
    const [fn, argument] = Object.entries(value)[0]!;
    if (fn === 'Ref') {
      if (typeof argument !== 'string' || !names.has(argument)) problems.push(`${path}: Ref to unknown ${JSON.stringify(argument)}`);
    } else if (fn === 'Fn::GetAtt') {
      const [logicalId, attribute] = Array.isArray(argument) ? argument : String(argument).split(/\.(.*)/s);
      const target = template.Resources[String(logicalId)];
      const attributes = target ? resourceSpec(target.Type)?.attributes : undefined;
      if (!target) problems.push(`${path}: Fn::GetAtt of unknown resource ${String(logicalId)}`);
      else if (attributes && !(String(attribute) in attributes)) problems.push(`${path}: ${target.Type} has no attribute ${String(attribute)}`);
    } else if (fn === 'Fn::If') {
      const [condition, whenTrue, whenFalse] = argument as [string, unknown, unknown];
      if (!(condition in (template.Conditions ?? {}))) problems.push(`${path}: Fn::If on unknown condition ${condition}`);
      for (const [branch, item] of [['true', whenTrue], ['false', whenFalse]] as const) {
        if (!(isIntrinsic(item) && item.Ref === 'AWS::NoValue') && expected) checkValue(item, expected, `${path}[${branch}]`);
      }
    } else {
      walkIntrinsics(argument, `${path}.${fn}`);
    }
  };
  const walkIntrinsics = (value: unknown, path: string): void => {
    if (isIntrinsic(value)) checkIntrinsic(value, path);
    else if (Array.isArray(value)) value.forEach((item, i) => walkIntrinsics(item, `${path}[${i}]`));
    else if (typeof value === 'object' && value !== null) for (const [key, item] of Object.entries(value)) walkIntrinsics(item, `${path}.${key}`);
  };

  const checkProperties = (properties: Record<string, unknown>, specProperties: Record<string, SpecProperty>, path: string): void => {
    for (const [name, property] of Object.entries(specProperties)) {
      if (property.required && properties[name] === undefined) problems.push(`${path}: missing required property ${name}`);
    }
    for (const [name, value] of Object.entries(properties)) {
      const property = specProperties[name];
      if (!property) problems.push(`${path}: unknown property ${name}`);
      else checkValue(value, property.type, `${path}.${name}`);
    }
  };

  const checkValue = (value: unknown, type: SpecType, path: string): void => {
    if (isIntrinsic(value)) return checkIntrinsic(value, path, type);
    switch (type.type) {
      case 'string':
      case 'date-time':
        if (typeof value !== 'string') problems.push(`${path}: expected a string, got ${JSON.stringify(value)}`);
        else if ('allowedValues' in type && type.allowedValues && !type.allowedValues.includes(value)) problems.push(`${path}: ${value} is not one of ${type.allowedValues.join(', ')}`);
        return;
      case 'number':
      case 'integer':
        // CloudFormation takes numbers written as strings too.
        if (typeof value !== 'number' && !(typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))) problems.push(`${path}: expected a number, got ${JSON.stringify(value)}`);
        else if (type.type === 'integer' && !Number.isInteger(Number(value))) problems.push(`${path}: expected an integer, got ${JSON.stringify(value)}`);
        return;
      case 'boolean':
        if (typeof value !== 'boolean' && value !== 'true' && value !== 'false') problems.push(`${path}: expected a boolean, got ${JSON.stringify(value)}`);
        return;
      case 'json':
        if (typeof value !== 'object' || value === null) problems.push(`${path}: expected a JSON object, got ${JSON.stringify(value)}`);
        else walkIntrinsics(value, path);
        return;
      case 'tag':
        if (typeof value !== 'object' || value === null) problems.push(`${path}: expected a tag {Key, Value}`);
        else checkProperties(value as Record<string, unknown>, { Key: { type: { type: 'string' }, required: true }, Value: { type: { type: 'string' }, required: true } }, path);
        return;
      case 'array':
        if (!Array.isArray(value)) problems.push(`${path}: expected a list, got ${JSON.stringify(value)}`);
        else value.forEach((item, i) => checkValue(item, type.element, `${path}[${i}]`));
        return;
      case 'map':
        if (typeof value !== 'object' || value === null || Array.isArray(value)) problems.push(`${path}: expected a map, got ${JSON.stringify(value)}`);
        else for (const [key, item] of Object.entries(value)) checkValue(item, type.element, `${path}.${key}`);
        return;
      case 'ref': {
        const definition = spec().get('typeDefinition', type.reference.$ref) as unknown as SpecTypeDefinition;
        if (typeof value !== 'object' || value === null || Array.isArray(value)) problems.push(`${path}: expected a ${definition.name} object, got ${JSON.stringify(value)}`);
        else checkProperties(value as Record<string, unknown>, definition.properties, path);
        return;
      }
      case 'union': {
        const before = problems.length;
        const fits = type.types.some((candidate) => {
          checkValue(value, candidate, path);
          const ok = problems.length === before;
          problems.length = before;
          return ok;
        });
        if (!fits) problems.push(`${path}: ${JSON.stringify(value)} matches none of ${type.types.map((t) => t.type).join(', ')}`);
        return;
      }
      default:
        problems.push(`${path}: unsupported specification type ${(type as { type: string }).type}`);
    }
  };

  for (const [id, resource] of Object.entries(template.Resources)) {
    const path = `Resources.${id}`;
    const resourceType = resourceSpec(resource.Type);
    if (!resourceType) {
      problems.push(`${path}: unknown resource type ${resource.Type}`);
      continue;
    }
    if (resource.Condition !== undefined && !(resource.Condition in (template.Conditions ?? {}))) problems.push(`${path}: unknown condition ${resource.Condition}`);
    for (const dependency of [resource.DependsOn ?? []].flat()) if (!(dependency in template.Resources)) problems.push(`${path}: DependsOn unknown ${dependency}`);
    checkProperties(resource.Properties ?? {}, resourceType.properties, `${path}.Properties`);
  }
  for (const [id, output] of Object.entries(template.Outputs ?? {})) walkIntrinsics(output, `Outputs.${id}`);
  walkIntrinsics(template.Conditions ?? {}, 'Conditions');
  return problems;
}
