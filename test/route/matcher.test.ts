// Matchers: amtool's syntax (operators, quoting, escapes) and Alertmanager's semantics
// (anchored regexes, a missing value matching as ""), over real normalized alerts.
import { normalizeEvent } from '../../shared/normalize';
import type { Alert } from '../../shared/model/alert';
import { MATCHER_FIELDS, MatcherError, formatMatchers, parseMatcher } from '../../shared/route/matcher';
import { eventsOf, samples } from '../support/samples';

const sample = samples('aws').find((s) => s.file.endsWith('state-change-single-metric.json'));
const base: Alert = normalizeEvent(eventsOf(sample!)[0]);
const alert = (fields: Partial<Alert>): Alert => ({ ...base, ...fields });

describe('parsing', () => {
  it.each([
    ['severity="critical"', 'severity', '=', 'critical'],
    ['severity!="info"', 'severity', '!=', 'info'],
    ['name=~"Server.*"', 'name', '=~', 'Server.*'],
    ['name!~"Server.*"', 'name', '!~', 'Server.*'],
    ['  region = us-east-1  ', 'region', '=', 'us-east-1'],
    ['labels.team=db', 'labels.team', '=', 'db'],
    ['summary=""', 'summary', '=', ''],
    ['summary=', 'summary', '=', ''],
    ['labels.k8s.io/name="api"', 'labels.k8s.io/name', '=', 'api'],
    ['name=~"a=~b"', 'name', '=~', 'a=~b'],
  ])('%s', (text, name, op, value) => {
    const matcher = parseMatcher(text);
    expect({ name: matcher.name, op: matcher.op, value: matcher.value }).toEqual({ name, op, value });
    expect(matcher.text).toBe(text.trim());
  });

  it.each([
    ['summary="say \\"hi\\""', 'say "hi"'],
    ['summary="back\\\\slash"', 'back\\slash'],
    ['summary="line\\nbreak"', 'line\nbreak'],
    // Any other escape is kept literally, so regex classes survive.
    ['summary=~"\\d+ms"', '\\d+ms'],
    ['summary=" padded "', ' padded '],
    ['summary=trailing\\', 'trailing\\'],
  ])('unescapes %s', (text, value) => {
    expect(parseMatcher(text).value).toBe(value);
  });

  it.each([
    ['severity', /bad matcher "severity": expected NAME OP VALUE/],
    ['', /bad matcher "": expected NAME OP VALUE/],
    ['=critical', /bad matcher/],
    ['severity: critical', /bad matcher "severity: critical"/],
    ['summary="open', /missing closing double quote in "open/],
    ['summary=a"b', /unescaped double quote in a"b/],
    ['summary="a"b"', /unexpected text after the closing quote/],
    ['summary="a\\"', /missing closing double quote/],
    ['labels.="x"', /labels\. needs a key after the dot/],
    ['labels="x"', /unknown field "labels"; a matcher names one of id, dedupKey, .*labels\.<key>, annotations\.<key>$/],
    ['resources="x"', /unknown field "resources"/],
    ['Severity="critical"', /unknown field "Severity"/],
    ['name=~"(cpu"', /invalid regular expression "\(cpu"/],
    // Wrapped as ^(?:a)|(b)$ this would compile and lose its anchors: refused instead.
    ['name=~"a)|(b"', /invalid regular expression "a\)\|\(b"/],
    ['severity="crit"', /"crit" is not a value of severity, which is one of critical, error, warning, info/],
    ['status!="fired"', /"fired" is not a value of status/],
    ['cloud=~"gcp|azure"', /regular expression "gcp\|azure" matches no value of cloud, which is one of aws, alibaba/],
    ['provider!~"aws"', /matches no value of provider/],
  ])('refuses %j', (text, problem) => {
    expect(() => parseMatcher(text)).toThrow(MatcherError);
    expect(() => parseMatcher(text)).toThrow(problem);
  });

  it('accepts every scalar field and both maps', () => {
    for (const field of MATCHER_FIELDS) expect(parseMatcher(`${field}=~".*"`).name).toBe(field);
    expect(parseMatcher('annotations.message=~".*"').name).toBe('annotations.message');
  });

  it('accepts "" for previousStatus, whose null means no previous status', () => {
    const matcher = parseMatcher('previousStatus=""');
    expect(matcher.matches(alert({ previousStatus: null }))).toBe(true);
    expect(matcher.matches(alert({ previousStatus: 'firing' }))).toBe(false);
  });
});

describe('matching', () => {
  const firing = alert({ severity: 'critical', name: 'ServerCpuTooHigh' });

  it.each([
    ['severity="critical"', true],
    ['severity="error"', false],
    ['severity!="critical"', false],
    ['severity!="error"', true],
    ['severity=~"critical|error"', true],
    ['severity=~"warning|info"', false],
    ['severity!~"critical|error"', false],
    ['severity!~"warning|info"', true],
  ])('%s on a critical alert: %s', (text, expected) => {
    expect(parseMatcher(text).matches(firing)).toBe(expected);
  });

  it('anchors regexes at both ends', () => {
    expect(parseMatcher('name=~"Cpu"').matches(firing)).toBe(false);
    expect(parseMatcher('name=~"Server"').matches(firing)).toBe(false);
    expect(parseMatcher('name=~"Server.*"').matches(firing)).toBe(true);
    expect(parseMatcher('name=~".*Cpu.*"').matches(firing)).toBe(true);
    // Alternation is grouped before anchoring: "x|Server" must not match "ServerCpuTooHigh".
    expect(parseMatcher('name=~"x|Server"').matches(firing)).toBe(false);
    expect(parseMatcher('name!~"x|Server"').matches(firing)).toBe(true);
  });

  it('is case-sensitive', () => {
    expect(parseMatcher('name="servercputoohigh"').matches(firing)).toBe(false);
    expect(parseMatcher('name=~"[Ss]erver.*"').matches(firing)).toBe(true);
  });

  it('reads labels and annotations by the key after the first dot', () => {
    const labelled = alert({
      labels: { team: 'db', 'k8s.io/name': 'api', 'a.b.c': 'deep' },
      annotations: { runbook: 'https://runbooks/x' },
    });
    expect(parseMatcher('labels.team="db"').matches(labelled)).toBe(true);
    expect(parseMatcher('labels.k8s.io/name="api"').matches(labelled)).toBe(true);
    expect(parseMatcher('labels.a.b.c="deep"').matches(labelled)).toBe(true);
    expect(parseMatcher('annotations.runbook=~"https://.*"').matches(labelled)).toBe(true);
    // A label is not an annotation.
    expect(parseMatcher('annotations.team="db"').matches(labelled)).toBe(false);
  });

  it('treats a missing label or a null field as the empty string', () => {
    const bare = alert({ labels: {}, account: null, comment: null });
    expect(parseMatcher('labels.team=""').matches(bare)).toBe(true);
    expect(parseMatcher('labels.team!=""').matches(bare)).toBe(false);
    expect(parseMatcher('labels.team!="db"').matches(bare)).toBe(true);
    expect(parseMatcher('labels.team=~"db|"').matches(bare)).toBe(true);
    expect(parseMatcher('labels.team=~".+"').matches(bare)).toBe(false);
    expect(parseMatcher('account=""').matches(bare)).toBe(true);
    expect(parseMatcher('comment!~".+"').matches(bare)).toBe(true);
  });

  it('does not read inherited properties as labels', () => {
    expect(parseMatcher('labels.constructor=""').matches(alert({ labels: {} }))).toBe(true);
  });

  it('matches values with quotes, backslashes and line breaks', () => {
    const odd = alert({ summary: 'say "hi"', description: 'a\\b\nc' });
    expect(parseMatcher('summary="say \\"hi\\""').matches(odd)).toBe(true);
    expect(parseMatcher('description="a\\\\b\\nc"').matches(odd)).toBe(true);
  });
});

describe('formatMatchers', () => {
  it('prints the canonical, re-parseable form', () => {
    const matchers = ['severity = critical', 'summary="say \\"hi\\""', 'labels.team!~db|web'].map(parseMatcher);
    const printed = formatMatchers(matchers);
    expect(printed).toBe('{severity="critical", summary="say \\"hi\\"", labels.team!~"db|web"}');
    const reparsed = printed.slice(1, -1).split(', ').map(parseMatcher);
    expect(reparsed.map((m) => m.value)).toEqual(matchers.map((m) => m.value));
  });

  it('prints no matchers as {}', () => {
    expect(formatMatchers([])).toBe('{}');
  });
});
