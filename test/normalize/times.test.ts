// The time conversions every normalizer relies on. Times are metadata: what cannot be read,
// or falls outside the years 0000-9999, is unknown (null), never a refusal and never a guess.
// ARMS startTime/endTime are China local time without a zone (localToUtc at +480 minutes) or
// epoch milliseconds, member times RFC 3339 with nanosecond fractions, and Go's zero time
// marks a member that has not ended.
import { flexibleTime, fromEpochMs, localToUtc, readTime, toUtc } from '../../shared/normalize/fields';
import { normalizeArmsEvent } from '../../shared/normalize/arms';
import { group, sample, type RawEvent } from './arms-samples';

const CHINA = 480;

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
    expect(localToUtc(local, CHINA)).toBe(utc);
  });

  it.each([
    ['a day that does not exist', '2022-02-29 10:00:00'],
    ['a month that does not exist', '2022-13-01 10:00:00'],
    ['hour 24', '2022-06-07 24:00:00'],
    ['minute 60', '2022-06-07 17:60:00'],
    ['a date without time', '2022-06-07'],
    ['words', 'yesterday'],
  ])('takes %s as unknown', (_case, local) => {
    expect(localToUtc(local, CHINA)).toBeNull();
  });
});

describe('toUtc of member times', () => {
  it.each([
    ['nanoseconds', '2022-06-07T09:22:01.645000000Z', '2022-06-07T09:22:01.645Z'],
    ['no fraction', '2022-06-07T09:22:01Z', '2022-06-07T09:22:01.000Z'],
    ['a +0000 zone', '2019-10-01T13:56:40.985+0000', '2019-10-01T13:56:40.985Z'],
    ['a +08:00 zone', '2022-06-07T17:22:01.645999999+08:00', '2022-06-07T09:22:01.645Z'],
  ])('keeps the milliseconds of %s', (_case, value, utc) => {
    expect(toUtc(value)).toBe(utc);
  });

  it('takes a time without a zone as unknown rather than guess one', () => {
    expect(toUtc('2022-06-07 09:22:01')).toBeNull();
  });
});

describe('toUtc of times already in UTC (read without the pattern)', () => {
  it('reads every time as the pattern reads it, whatever is changed in it', () => {
    const templates = [
      '2022-06-07T09:22:01.645000000Z',
      '2019-10-01T13:56:40.985+0000',
      '2024-02-29T23:59:59+00:00',
      '2016-12-31T23:59:60Z',
      '0000-01-01T00:00:00.1Z',
      '9999-12-31T23:59:59.99Z',
      '2023-08-04T12:56:46.138-0000',
    ];
    const swaps = '0123456789-:.,+TtZz Ux';
    let seed = 11;
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % n;
    };
    const cases = new Set<string>(templates);
    for (const template of templates) {
      for (let i = 0; i < 3000; i += 1) {
        let text = template;
        // One to three edits: a character replaced, removed or added.
        for (let edits = 1 + random(3); edits > 0; edits -= 1) {
          const at = random(text.length + 1);
          const char = swaps[random(swaps.length)]!;
          const edit = random(3);
          text = edit === 0 ? text.slice(0, at) + char + text.slice(at + 1) : edit === 1 ? text.slice(0, at) + text.slice(at + 1) : text.slice(0, at) + char + text.slice(at);
        }
        cases.add(text);
      }
    }
    const differing = [...cases].filter((text) => toUtc(text) !== readTime(text));
    expect(differing).toEqual([]);
    // The edits made both readable and unreadable times, in UTC and not.
    expect([...cases].filter((text) => toUtc(text) === null).length).toBeGreaterThan(1000);
    expect([...cases].filter((text) => toUtc(text) !== null && text.endsWith('Z')).length).toBeGreaterThan(100);
  });
});

describe('toUtc of the odd shapes real events carry', () => {
  it.each([
    ['Alibaba EventBridge docs: PRC', '2020-11-19T21:04:42.179PRC', '2020-11-19T13:04:42.179Z'],
    ['Alibaba PutEvents docs: Asia/Shanghai', '2020-08-24T13:54:05.965Asia/Shanghai', '2020-08-24T05:54:05.965Z'],
    ['UTC spelled out', '2020-08-24T13:54:05UTC', '2020-08-24T13:54:05.000Z'],
    ['blanks copied after the colons', '2023-08-04T12: 56: 46.138+0000', '2023-08-04T12:56:46.138Z'],
    ['an hour-only offset', '2023-08-04T12:56:46-05', '2023-08-04T17:56:46.000Z'],
    ['a leap second, the last millisecond of its minute', '2016-12-31T23:59:60Z', '2016-12-31T23:59:59.999Z'],
    ['a leap second with a fraction', '2016-12-31T23:59:60.5+0000', '2016-12-31T23:59:59.999Z'],
    ['year 0000', '0000-01-01T00:00:00Z', '0000-01-01T00:00:00.000Z'],
    ['year 9999 at its last millisecond', '9999-12-31T23:59:59.999Z', '9999-12-31T23:59:59.999Z'],
  ])('reads %s', (_case, value, utc) => {
    expect(toUtc(value)).toBe(utc);
  });

  it.each([
    ['a time that is year 10000 in UTC', '9999-12-31T23:59:59-01:00'],
    ['a time that is year -1 in UTC', '0000-01-01T00:30:00+01:00'],
    ['a zone name it does not know', '2020-08-24T13:54:05Mars/Olympus'],
    ['an offset of 24 hours', '2020-08-24T13:54:05+24:00'],
    ['second 61', '2016-12-31T23:59:61Z'],
    ['a placeholder', 'date'],
    ['nothing', ''],
  ])('takes %s as unknown', (_case, value) => {
    expect(toUtc(value)).toBeNull();
  });
});

describe('epoch milliseconds', () => {
  it.each([
    [0, '1970-01-01T00:00:00.000Z'],
    [1654593721000, '2022-06-07T09:22:01.000Z'],
    [253402300799999, '9999-12-31T23:59:59.999Z'],
    [253402300800000, null],
    [-62167219200001, null],
    [1e300, null],
    [Number.NaN, null],
  ])('%d is %s', (value, utc) => {
    expect(fromEpochMs(value)).toBe(utc);
  });

  it('writes what Date writes for every millisecond it can, days, leap days, centuries and eras included', () => {
    const DAY = 86_400_000;
    const first = -62_167_219_200_000;
    const last = 253_402_300_799_999;
    const values = [first, last, -1, 0, 1, 999, 1000, -DAY, -DAY - 1, 951_782_400_000, 951_868_799_999, 4_107_542_400_000, -2_203_891_200_000, -62_162_035_200_001];
    // The first and last millisecond of every day of 0000-0004, 1899-1901, 1999-2001 and
    // 2099-2101, and of every 97th day of the whole range; then random milliseconds.
    const days = (from: number, to: number, step = 1) => {
      for (let day = from; day < to; day += step) values.push(day * DAY, day * DAY + DAY - 1);
    };
    const firstDay = Math.floor(first / DAY);
    days(firstDay, firstDay + 4 * 366);
    for (const day of [-25_568, 10_957, 47_482]) days(day - 366, day + 366);
    days(firstDay, Math.floor(last / DAY) + 1, 97);
    let seed = 7;
    for (let i = 0; i < 20_000; i += 1) {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      values.push(first + Math.floor((seed / 2_147_483_648) * (last - first)) + (i % 1000));
    }
    const wrong = values.filter((ms) => ms >= first && ms <= last && fromEpochMs(ms) !== new Date(ms).toISOString());
    expect(wrong).toEqual([]);
  });

  it.each([
    [1654593721000, '2022-06-07T09:22:01.000Z'],
    ['1654593721000', '2022-06-07T09:22:01.000Z'],
    ['2022-06-07 17:22:01', '2022-06-07T09:22:01.000Z'],
    [true, null],
    [{}, null],
    ['', null],
  ])('flexibleTime(%j) is %s', (value, utc) => {
    expect(flexibleTime(value, CHINA)).toBe(utc);
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
