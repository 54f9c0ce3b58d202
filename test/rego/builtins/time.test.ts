import { describe, it } from 'vitest';
import { expectRows, expectErrors, ctx } from './helpers.ts';

describe('time', () => {
  it('parses Go layouts', () => {
    expectRows([
      ['time.parse_ns', ['2006-01-02T15:04:05Z07:00', '2017-06-02T19:00:00-07:00'], 1496455200000000000n],
      ['time.parse_ns', ['2006-01-02T15:04:05Z07:00', '1677-09-21T00:12:43.145224192-00:00'], -9223372036854775808n],
      ['time.parse_ns', ['2006-01-02T15:04:05Z07:00', '2262-04-11T23:47:16.854775807-00:00'], 9223372036854775807n],
      ['time.parse_ns', ["01/02 03:04:05PM '06 -0700", "06/02 07:00:00PM '17 -0700"], 1496455200000000000n],
      ['time.parse_ns', ['02 Jan 06 15:04 -0700', '02 Jun 17 19:00 -0700'], 1496455200000000000n],
      ['time.parse_ns', ['RFC822Z', '02 Jun 17 19:00 -0700'], 1496455200000000000n],
      ['time.parse_ns', ['2006-01-02', '2020-02-29'], 1582934400000000000n],
      ['time.parse_ns', ['Mon, 02 Jan 2006 15:04:05 MST', 'Tue, 01 Jun 2021 10:00:00 UTC'], 1622541600000000000n],
      ['time.parse_rfc3339_ns', ['2017-06-02T19:00:00.5Z'], 1496430000500000000n],
      ['time.parse_duration_ns', ['1h30m'], 5400000000000],
      ['time.parse_duration_ns', ['1.5s'], 1500000000],
      ['time.parse_duration_ns', ['-2m3.5ms'], -120003500000],
      ['time.parse_duration_ns', ['1µs'], 1000],
      ['time.parse_duration_ns', ['0'], 0],
    ]);
    expectErrors([
      ['time.parse_ns', ['2006-01-02T15:04:05Z07:00', '1677-09-21T00:12:43.145224191-00:00'], 'eval_builtin_error', 'time.parse_ns: time outside of valid range'],
      ['time.parse_ns', ['2006-01-02', '2021-02-30'], 'eval_builtin_error', 'time.parse_ns: parsing time "2021-02-30": day out of range'],
      ['time.parse_ns', ['2006-01-02', 'x'], 'eval_builtin_error', 'time.parse_ns: parsing time "x" as "2006-01-02": cannot parse "x" as "2006"'],
      ['time.parse_duration_ns', ['1'], 'eval_builtin_error', 'time.parse_duration_ns: time: missing unit in duration "1"'],
      ['time.parse_duration_ns', ['1x'], 'eval_builtin_error', 'time.parse_duration_ns: time: unknown unit "x" in duration "1x"'],
      ['time.parse_duration_ns', [''], 'eval_builtin_error', 'time.parse_duration_ns: time: invalid duration ""'],
    ]);
  });
  it('date, clock, weekday, zones', () => {
    expectRows([
      ['time.date', [1517814000000000000n], [2018, 2, 5]],
      ['time.date', [[1517814000000000000n, 'America/Los_Angeles']], [2018, 2, 4]],
      ['time.date', [[1517832000000000000n, '']], [2018, 2, 5]],
      ['time.clock', [1517832000000000000n], [12, 0, 0]],
      ['time.clock', [[1517832000000000000n, 'Asia/Kolkata']], [17, 30, 0]],
      ['time.weekday', [1517832000000000000n], 'Monday'],
      ['time.weekday', [1518264000000000000n], 'Saturday'],
      ['time.date', [-1], [1969, 12, 31]],
    ]);
    expectErrors([
      ['time.clock', [1582977600000000000000n], 'eval_builtin_error', 'time.clock: timestamp too big'],
      ['time.date', [[0, 'Mars/Olympus']], 'eval_builtin_error', 'time.date: unknown time zone Mars/Olympus'],
    ]);
  });
  it('add_date, diff, format, now_ns', () => {
    expectRows([
      ['time.add_date', [1585852421593912000n, -1, -1, -1], 1551465221593912000n],
      ['time.add_date', [1580515200000000000n, 0, 1, 30], 1585612800000000000n],
      ['time.diff', [1580515200000000000n, 1614556800000000000n], [1, 1, 0, 0, 0, 0]],
      ['time.diff', [1614556800000000000n, 1580515200000000000n], [1, 1, 0, 0, 0, 0]],
      ['time.format', [1517832000123000000n], '2018-02-05T12:00:00.123Z'],
      ['time.format', [[1517832000000000000n, 'America/New_York']], '2018-02-05T07:00:00-05:00'],
      ['time.format', [[1517832000000000000n, 'UTC', 'Mon Jan _2 15:04:05 MST 2006']], 'Mon Feb  5 12:00:00 UTC 2018'],
      ['time.format', [[1517832000000000000n, 'UTC', 'RFC1123']], 'Mon, 05 Feb 2018 12:00:00 UTC'],
      ['time.format', [[1517832000000000000n, '', '3:04PM .000 002']], '12:00PM .000 036'],
    ]);
    expectErrors([['time.add_date', [-9223372036854775808n, 0, 0, -1], 'eval_builtin_error', 'time.add_date: time outside of valid range']]);
    expectRows([['time.now_ns', [], 1_700_000_000_123_456_789n]], ctx());
  });
});
