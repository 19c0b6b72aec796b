// The time conversions the ARMS normalizer relies on: startTime/endTime are China local time
// without a zone (localToUtc at +480 minutes), alerts[].startsAt/endsAt are RFC 3339 with
// nanosecond fractions (toUtc), and Go's zero time marks a member that has not ended.
import { InvalidEventError } from '../../shared/model/errors';
import { localToUtc, toUtc } from '../../shared/normalize/fields';
import { normalizeArmsEvent } from '../../shared/normalize/arms';
import { group, sample, type RawEvent } from './arms-samples';

const CHINA = 480;
const PATH = 'data.data.startTime';

describe('localToUtc at UTC+8', () => {
  it.each([
    ['the documented example', '2022-06-07 17:22:01', '2022-06-07T09:22:01.000Z'],
    ['a T separator', '2022-06-07T17:22:01', '2022-06-07T09:22:01.000Z'],
    ['the previous UTC day', '2022-06-07 03:00:00', '2022-06-06T19:00:00.000Z'],
    ['the previous UTC year', '2023-01-01 07:59:59', '2022-12-31T23:59:59.000Z'],
    ['a leap day', '2024-03-01 05:00:00', '2024-02-29T21:00:00.000Z'],
    ['a fraction', '2022-06-07 17:22:01.5', '2022-06-07T09:22:01.500Z'],
    ['a microsecond fraction', '2022-06-07 17:22:01.123456', '2022-06-07T09:22:01.123Z'],
    ['surrounding blanks', ' 2022-06-07 17:22:01 ', '2022-06-07T09:22:01.000Z'],
    ['an explicit UTC zone, honoured', '2022-06-07T09:22:01Z', '2022-06-07T09:22:01.000Z'],
    ['an explicit +08:00 zone, honoured', '2022-06-07 17:22:01+08:00', '2022-06-07T09:22:01.000Z'],
  ])('converts %s', (_case, local, utc) => {
    expect(localToUtc(local, CHINA, PATH)).toBe(utc);
  });

  it.each([
    ['a day that does not exist', '2022-02-29 10:00:00'],
    ['a month that does not exist', '2022-13-01 10:00:00'],
    ['hour 24', '2022-06-07 24:00:00'],
    ['minute 60', '2022-06-07 17:60:00'],
    ['a date without time', '2022-06-07'],
    ['words', 'yesterday'],
  ])('refuses %s, naming the field', (_case, local) => {
    expect(() => localToUtc(local, CHINA, PATH)).toThrow(InvalidEventError);
    expect(() => localToUtc(local, CHINA, PATH)).toThrow(`invalid event: ${PATH}: `);
  });
});

describe('toUtc of member times', () => {
  it.each([
    ['nanoseconds', '2022-06-07T09:22:01.645000000Z', '2022-06-07T09:22:01.645Z'],
    ['no fraction', '2022-06-07T09:22:01Z', '2022-06-07T09:22:01.000Z'],
    ['a +0000 zone', '2019-10-01T13:56:40.985+0000', '2019-10-01T13:56:40.985Z'],
    ['a +08:00 zone', '2022-06-07T17:22:01.645999999+08:00', '2022-06-07T09:22:01.645Z'],
  ])('keeps the milliseconds of %s', (_case, value, utc) => {
    expect(toUtc(value, 'data.data.alerts[0].startsAt')).toBe(utc);
  });

  it('refuses a member time without a zone rather than guess one', () => {
    expect(() => toUtc('2022-06-07 09:22:01', 'data.data.alerts[0].startsAt')).toThrow(
      'invalid event: data.data.alerts[0].startsAt: ',
    );
  });
});

describe("Go's zero time in a member", () => {
  function memberEndsAt(endsAt: unknown): string | null {
    const event = sample('arms-alarm-create.json');
    (group(event).alerts as RawEvent[])[0]!.endsAt = endsAt;
    return normalizeArmsEvent(event).alerts[0]!.endsAt;
  }

  it.each(['0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000000000Z', '0001-01-01T00:00:00+00:00'])(
    '%s is null',
    (zero) => {
      expect(memberEndsAt(zero)).toBeNull();
    },
  );

  it.each([undefined, null, ''])('a missing or empty endsAt (%j) is null', (value) => {
    expect(memberEndsAt(value)).toBeNull();
  });
});
