// Matchers: Alertmanager's syntax (operators, quoting, escapes, lists) and semantics (RE2
// regexes anchored as ^(?:RE)$, a missing value matching as ""), over real normalized alerts.
import { normalizeEvent } from '../../shared/normalize';
import type { Alert } from '../../shared/model/alert';
import {
  MATCHER_FIELDS,
  MatcherError,
  formatMatchers,
  parseMatcher,
  parseMatchers,
  regexStandsAlone,
  vocabularyProblem,
} from '../../shared/route/matcher';
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
    // The canonical form, as Alertmanager prints a matcher.
    expect(matcher.text).toBe(`${name}${op}${JSON.stringify(value)}`);
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
    ['=critical', /bad matcher/],
    ['severity: critical', /bad matcher "severity: critical"/],
    // Alertmanager's operators only: a doubled or reversed one leaves a quote inside the value.
    ['severity=="critical"', /unescaped double quote in the value ="critical"/],
    ['severity~="critical"', /bad matcher/],
    ['summary="open', /missing closing double quote in the value "open/],
    ['summary=a"b', /unescaped double quote in the value a"b/],
    ['summary="a"b"', /unescaped double quote/],
    ['summary="a\\"', /missing closing double quote/],
    ['labels.="x"', /labels\. needs a key after the dot/],
    ['labels="x"', /unknown field "labels"; a matcher names one of id, dedupKey, .*labels\.<key>, annotations\.<key>$/],
    ['resources="x"', /unknown field "resources"/],
    ['Severity="critical"', /unknown field "Severity"/],
    // An Alertmanager label name alone is not a field: the error says how to write it.
    ['team="db"', /unknown field "team" \(for the label team, write labels\.team\)/],
    ['name=~"(cpu"', /invalid regular expression "\(cpu": error parsing regexp: missing closing \)/],
    // RE2 refuses what it cannot run in linear time.
    ['name=~"(?=a)a"', /invalid or unsupported Perl syntax/],
    ['name=~"(a)\\1"', /invalid escape sequence/],
    ['name=~"x{1001}"', /invalid repeat count/],
    ['name=~"a++"', /invalid nested repetition operator/],
  ])('refuses %j', (text, problem) => {
    expect(() => parseMatcher(text)).toThrow(MatcherError);
    expect(() => parseMatcher(text)).toThrow(problem);
  });

  it.each([
    ['severity="crit"', /"crit" is not a value of severity, which is one of critical, error, warning, info$/],
    ['severity="Critical"', /values are case-sensitive: did you mean "critical"\?/],
    ['status!="fired"', /"fired" is not a value of status/],
    ['cloud=~"gcp|azure"', /regular expression "gcp\|azure" matches no value of cloud, which is one of aws, alibaba/],
    ['provider!~"aws"', /matches no value of provider/],
  ])('finds that %j can never match', (text, problem) => {
    expect(vocabularyProblem(parseMatcher(text))).toMatch(problem);
  });

  it.each(['severity="critical"', 'severity=~"(?i)CRIT.*"', 'labels.severity="Critical"', 'sourceSeverity="whatever"'])('finds nothing wrong with %j', (text) => {
    expect(vocabularyProblem(parseMatcher(text))).toBeNull();
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
    expect(parseMatchers(printed).map((m) => m.text)).toEqual(matchers.map((m) => m.text));
  });

  it('prints no matchers as {}', () => {
    expect(formatMatchers([])).toBe('{}');
  });
});

describe('lists, as Alertmanager reads them', () => {
  const names = (text: string) => parseMatchers(text).map((m) => m.text);

  // The examples of Alertmanager's ParseMatchers documentation, with this project's names.
  it.each([
    ['{labels.foo = "bar", labels.dings != "bums", }', ['labels.foo="bar"', 'labels.dings!="bums"']],
    ['labels.foo=bar,labels.dings!=bums', ['labels.foo="bar"', 'labels.dings!="bums"']],
    ['labels.foo=bar, labels.dings!=bums', ['labels.foo="bar"', 'labels.dings!="bums"']],
    ['{labels.quote="She said: \\"Hi, ladies! That\'s gender-neutral…\\""}', ['labels.quote="She said: \\"Hi, ladies! That\'s gender-neutral…\\""']],
    ['labels.statuscode=~"5.."', ['labels.statuscode=~"5.."']],
    // Commas inside quotes are not separators; an escaped quote does not open or close.
    ['{labels.foo="bar,quux", labels.job="job1"}', ['labels.foo="bar,quux"', 'labels.job="job1"']],
    ['labels.q != "\\"" , labels.c !~ "foo,bar" , ', ['labels.q!="\\""', 'labels.c!~"foo,bar"']],
    // Braces are optional on either side.
    ['{severity="critical"', ['severity="critical"']],
    ['severity="critical"}', ['severity="critical"']],
    // Operator characters after the operator belong to the value.
    ['labels.tricky=~~~', ['labels.tricky=~"~~"']],
    ['labels.trickier==\\\\=\\=\\"', ['labels.trickier="=\\\\=\\\\=\\""']],
    ['', []],
    ['{}', []],
  ])('%j', (text, expected) => {
    expect(names(text)).toEqual(expected);
  });

  it('refuses a list item that is not a matcher, naming it', () => {
    // An unquoted comma ends the value: `baz` alone is then not a matcher.
    expect(() => parseMatchers('labels.foo=bar,baz')).toThrow(/bad matcher "baz"/);
  });

  it('reads each item of a list as its own matcher', () => {
    const [severity, team] = parseMatchers('{severity="critical", labels.team=~"db|web"}');
    expect(severity!.matches(alert({ severity: 'critical' }))).toBe(true);
    expect(team!.matches(alert({ labels: { team: 'web' } }))).toBe(true);
    expect(team!.matches(alert({ labels: { team: 'dbx' } }))).toBe(false);
  });
});

describe('RE2 regular expressions', () => {
  const labelled = (value: string) => alert({ labels: { v: value } });
  const matches = (re: string, value: string) => parseMatcher(`labels.v=~${JSON.stringify(re)}`).matches(labelled(value));

  // Go RE2 syntax that JavaScript reads differently or refuses.
  it.each([
    ['\\p{Han}+', '杭州', true],
    ['\\p{Han}+', 'hangzhou', false],
    ['\\pL+', 'é', true],
    ['[[:digit:]]+', '2026', true],
    ['[[:digit:]]+', 'x', false],
    ['(?i)critical', 'CRITICAL', true],
    ['(?i:crit)ical', 'CRITical', true],
    ['(?i:crit)ical', 'critICAL', false],
    ['(?P<name>a)b', 'ab', true],
    ['\\Qa.b\\E', 'a.b', true],
    ['\\Qa.b\\E', 'axb', false],
    ['a\\z', 'a', true],
    // . does not match a line feed unless (?s) says so.
    ['a.b', 'a\nb', false],
    ['(?s)a.b', 'a\nb', true],
    // \w and \s are ASCII in RE2; . is one code point, even outside the BMP.
    ['\\w+', 'é', false],
    ['a\\sb', 'a\u00a0b', false],
    ['.', '😀', true],
    ['\\x41', 'A', true],
  ])('%s on %j: %s', (re, value, expected) => {
    expect(matches(re, value)).toBe(expected);
  });

  it('anchors as Alertmanager does, even a pattern whose parentheses do not balance', () => {
    // Alertmanager compiles ^(?:a)|(b)$: the left branch anchored at the start only, the
    // right one at the end only.
    expect(matches('a)|(b', 'abc')).toBe(true);
    expect(matches('a)|(b', 'xyb')).toBe(true);
    expect(matches('a)|(b', 'xyz')).toBe(false);
    expect(regexStandsAlone('a)|(b')).toBe(false);
    expect(regexStandsAlone('a|b')).toBe(true);
  });

  it('matches in time linear in the input, whatever the pattern', () => {
    // (a+)+$ backtracks exponentially in JavaScript: 2^40 steps for this input. RE2 runs
    // it as an automaton; no clock is read, the test would simply never finish.
    const hostile = parseMatcher('labels.v=~"(a+)+$"');
    expect(hostile.matches(labelled(`${'a'.repeat(40)}!`))).toBe(false);
    expect(hostile.matches(labelled('a'.repeat(100_000)))).toBe(true);
  });
});
