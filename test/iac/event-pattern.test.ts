// The EventBridge pattern matcher the template tests rely on: each rule of the documented
// matching semantics, and refusal of malformed patterns.
import { matchesPattern, PatternError } from '../support/event-pattern';

const event = {
  source: 'aws.cloudwatch',
  'detail-type': 'CloudWatch Alarm State Change',
  account: '123456789012',
  resources: ['arn:aws:cloudwatch:us-east-1:123456789012:alarm:A', 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:B'],
  detail: {
    alarmName: 'prod-api-latency',
    state: { value: 'ALARM', reason: 'Threshold Crossed' },
    threshold: 75.5,
    muted: null,
    sourceIp: '10.0.3.7',
  },
};

describe('matchesPattern', () => {
  it.each([
    ['exact value', { source: ['aws.cloudwatch'] }, true],
    ['exact value, other', { source: ['aws.ec2'] }, false],
    ['alternatives are OR', { source: ['aws.ec2', 'aws.cloudwatch'] }, true],
    ['all keys must match (AND)', { source: ['aws.cloudwatch'], account: ['999999999999'] }, false],
    ['nested object', { detail: { state: { value: ['ALARM'] } } }, true],
    ['nested object, other', { detail: { state: { value: ['OK'] } } }, false],
    ['nested pattern on a scalar', { source: { value: ['x'] } }, false],
    ['array in the event: any element', { resources: ['arn:aws:cloudwatch:us-east-1:123456789012:alarm:B'] }, true],
    ['missing field', { region: ['us-east-1'] }, false],
    ['null value', { detail: { muted: [null] } }, true],
    ['number value', { detail: { threshold: [75.5] } }, true],
    ['number is not its string', { detail: { threshold: ['75.5'] } }, false],
    ['prefix', { detail: { alarmName: [{ prefix: 'prod-' }] } }, true],
    ['prefix, other', { detail: { alarmName: [{ prefix: 'dev-' }] } }, false],
    ['prefix ignoring case', { detail: { alarmName: [{ prefix: { 'equals-ignore-case': 'PROD-' } }] } }, true],
    ['suffix', { detail: { alarmName: [{ suffix: '-latency' }] } }, true],
    ['equals-ignore-case', { detail: { state: { value: [{ 'equals-ignore-case': 'alarm' }] } } }, true],
    ['wildcard', { detail: { alarmName: [{ wildcard: 'prod-*-latency' }] } }, true],
    ['wildcard, other', { detail: { alarmName: [{ wildcard: 'prod-*-errors' }] } }, false],
    ['anything-but a value', { detail: { state: { value: [{ 'anything-but': 'OK' }] } } }, true],
    ['anything-but a list', { detail: { state: { value: [{ 'anything-but': ['OK', 'ALARM'] }] } } }, false],
    ['anything-but a prefix', { detail: { alarmName: [{ 'anything-but': { prefix: 'prod-' } }] } }, false],
    ['anything-but needs the field', { region: [{ 'anything-but': 'eu-west-1' }] }, false],
    ['exists true', { detail: { alarmName: [{ exists: true }] } }, true],
    ['exists false on a missing field', { detail: { previousState: [{ exists: false }] } }, true],
    ['exists false on a present field', { detail: { alarmName: [{ exists: false }] } }, false],
    ['numeric range', { detail: { threshold: [{ numeric: ['>', 50, '<=', 75.5] }] } }, true],
    ['numeric range, outside', { detail: { threshold: [{ numeric: ['>', 80] }] } }, false],
    ['numeric on a string', { account: [{ numeric: ['>', 0] }] }, false],
    ['cidr', { detail: { sourceIp: [{ cidr: '10.0.0.0/16' }] } }, true],
    ['cidr, other', { detail: { sourceIp: [{ cidr: '10.1.0.0/16' }] } }, false],
    ['$or, one branch', { $or: [{ account: ['1'] }, { detail: { alarmName: [{ prefix: 'prod' }] } }] }, true],
    ['$or, no branch', { $or: [{ account: ['1'] }, { account: ['2'] }] }, false],
  ])('%s', (_name, pattern, expected) => {
    expect(matchesPattern(pattern, event)).toBe(expected);
  });

  it('takes the pattern as JSON text (as s.yaml carries it)', () => {
    expect(matchesPattern('{"type":["aliyun:arms:alarm:create"]}', { type: 'aliyun:arms:alarm:create' })).toBe(true);
    expect(matchesPattern('{"type":["aliyun:arms:alarm:create"]}', { type: 'aliyun:arms:alarm:close' })).toBe(false);
  });

  it('matches nothing for a non-object event unless only absence is asked', () => {
    expect(matchesPattern({ source: ['x'] }, 'x')).toBe(false);
    expect(matchesPattern({ source: [{ exists: false }] }, null)).toBe(true);
  });

  it.each([
    ['a scalar leaf', { source: 'aws.cloudwatch' }],
    ['an empty alternative list', { source: [] }],
    ['an unknown operator', { source: [{ startsWith: 'aws' }] }],
    ['two operators in one matcher', { source: [{ prefix: 'a', suffix: 'b' }] }],
    ['exists with a non-boolean', { source: [{ exists: 'yes' }] }],
    ['an odd numeric list', { detail: { threshold: [{ numeric: ['>'] }] } }],
    ['a bad numeric operator', { detail: { threshold: [{ numeric: ['!=', 1] }] } }],
    ['a bad cidr', { detail: { sourceIp: [{ cidr: '10.0.0.0/40' }] } }],
    ['$or with one branch', { $or: [{ source: ['x'] }] }],
    ['an object value', { source: [{ prefix: 1 }] }],
  ])('refuses %s', (_name, pattern) => {
    expect(() => matchesPattern(pattern, event)).toThrow(PatternError);
  });

  it('refuses a pattern that is not an object', () => {
    expect(() => matchesPattern('["x"]', event)).toThrow(PatternError);
  });
});
