/**
 * types/ date, time, timestamp, timestamptz and interval against PostgreSQL 15: input forms
 * (ISO, 'T', slashes, month names, BC, epoch/infinity, zones and offsets, AM/PM), output in
 * several TimeZone and IntervalStyle settings, precision typmods, binary formats and errors.
 */
import { after, before, describe, test } from 'node:test';
import { parseTypeName, typeByName } from '../../src/types/index.ts';
import { postgresAvailable } from '../support/pg-cluster.ts';
import { assertNoProblems, compareLiterals, context, startOracle, type Oracle } from './oracle.ts';

const DATES = [
  '2024-01-02', '1999-01-08', 'January 8, 1999', 'Jan 8 1999', '8 Jan 1999', '1/8/1999', '01/02/03', '1999-Jan-08', 'Jan-08-1999',
  '08-Jan-1999', '99-Jan-08', '19990108', '990108', '1999.008', '2024-02-29', '2023-02-29', '2024-13-01', '2024-00-10', '2024-01-32',
  '0001-01-01', '0001-01-01 BC', '4714-11-24 BC', '4714-11-23 BC', '5874897-12-31', '5874898-01-01', '0000-01-01', '10000-01-01',
  'epoch', 'infinity', '-infinity', '2024-01-02 03:04:05', '2024-01-02T03:04:05Z', ' 2024-01-02 ', '2024-01-02 BC', '2024-01-02 AD',
  'abc', '', '2024-01', '2024', '2024-01-02x', '12:00', 'Feb 30 2024', 'Friday 2024-01-05', '2024-01-02 +05', '1-1-1',
  '2024/01/02', '2024.01.02', '20240102T030405',
];

const TIMES = [
  '04:05:06', '04:05', '040506', '0405', '04:05:06.789', '04:05:06.1234567', '04:05:06.9999995', '4:05 PM', '12:00 AM', '12:00 PM',
  '11:59:59.999999 PM', '24:00:00', '24:00:01', '23:59:60', '00:00:00', 'allballs', '04:05:06 PST', '04:05:06+05:30',
  '2024-01-02 04:05:06', 'T040506', '13:00 PM', '25:00', '04:60', '04:05:61', 'abc', '', '04:05:06 America/New_York', '1:2:3',
];

const TIMESTAMPS = [
  '2024-01-02 03:04:05', '2024-01-02 03:04:05.123456', '2024-01-02 03:04:05.1234565', '2024-01-02 03:04:05.5', '2024-01-02T03:04:05',
  '2024-01-02T03:04:05Z', '2024-01-02 03:04:05+05:30', '2024-01-02 03:04:05-08', '2024-01-02 03:04:05 -8', '2024-01-02 03:04:05+0530',
  '2024-01-02 03:04:05 UTC', '2024-01-02 03:04:05 EST', '2024-01-02 03:04:05 PDT', '2024-07-02 03:04:05 America/New_York',
  '2024-07-02 03:04:05 Europe/Berlin', '2024-01-02 03:04:05 Asia/Kolkata', '2024-03-10 02:30:00 America/New_York',
  '2024-11-03 01:30:00 America/New_York', '2024-01-02', '2024-01-02 24:00:00', 'January 8 04:05:06 1999 PST', '1999-01-08 04:05:06 +2',
  '0044-03-15 12:00:00 BC', '0001-01-01 00:00:00', '4714-11-24 00:00:00 BC', '294276-12-31 23:59:59.999999', '294277-01-01 00:00:00',
  'epoch', 'infinity', '-infinity', '2024-01-02 03:04:05 xyz', '2024-01-02 03:04:05 Foo/Bar', '2024-01-02 03:04:05+16', '2024-02-30 00:00',
  '2024-01-02 03:04:05.', '2024-01-02 3:4:5', '2024-01-02 03:04:05 pm', '2024-01-02 11:04:05 pm', '20240102 030405', '20240102T030405',
  '2024-01-02 03:04:05+05:30:15', 'abc', '', '1900-06-01 12:00:00', '2100-06-01 12:00:00', '2038-07-01 12:00:00', '12345-06-07 08:09:10',
];

const INTERVALS = [
  '1 day', '2 hours 30 minutes', '1 year 2 mons 3 days 04:05:06.5', '1-2', '-1-2', '3 4:05:06', '01:02:03', '01:02', '1:2:3.456789',
  '-01:02:03', '1 day -02:03:04', '-1 day +02:03:04', '1.5 years', '1.5 months', '1.5 days', '1.5 hours', '0.1 seconds', '1.0000005 seconds',
  '1 week', '2 weeks 3 days', '1 decade', '1 century', '1 millennium', '100 milliseconds', '1000 microseconds', '@ 1 minute ago',
  '1 day ago', '1 year 2 months ago', 'P1Y2M', 'P1Y2M3DT4H5M6S', 'PT1.5S', 'P1W', 'P0001-02-03T04:05:06', 'P00010203T040506', 'PT36H',
  'P1.5Y', '-P1D', 'P-1D', '0', '1', '-1', '1.5', '', 'abc', '1 foo', '1 day 1 day', '2147483647 days', '2147483648 days', '178956970 years',
  '178956971 years', '1 hour 60 minutes', '100:00:00', '-100:00:00.5', '1 y 2 mon 3 d 4 h 5 m 6 s', '5 mins 3 secs', '1 yr', '3 hrs',
  '1 day 02:03', '+1 day', '- 1 day', '1 ago', '1 day 2', '3 01:02', '00:00:00', '0 seconds', '1 microsecond', '-0.5 seconds', '1e3 seconds',
];

const INTERVAL_TYPMOD_LITERALS = ['1 year 2 mons 3 days 04:05:06.789', '5', '1.5', '-5', '01:02', '01:02:03.4567', '1-2', '3 4:05', '-3 days -04:05:06.5'];

describe('date/time types', { skip: !postgresAvailable() }, () => {
  let oracle: Oracle;
  before(async () => {
    oracle = await startOracle();
  });
  after(async () => {
    await oracle?.stop();
  });

  test('date input and output (DateStyle ISO, MDY / DMY / YMD)', async () => {
    const problems: string[] = [];
    for (const style of ['ISO, MDY', 'ISO, DMY', 'ISO, YMD']) {
      await oracle.exec(`SET DateStyle = '${style}'`);
      problems.push(...(await compareLiterals(oracle, { sqlType: 'date', type: typeByName('date')!, ctx: context({ dateStyle: style }) }, DATES)).map((p) => `${style}: ${p}`));
    }
    await oracle.exec('RESET DateStyle');
    assertNoProblems(problems);
  });

  test('time input, output and precision', async () => {
    const time = typeByName('time')!;
    const problems = await compareLiterals(oracle, { sqlType: 'time', type: time }, TIMES);
    for (const p of [0, 2, 5]) {
      const { typmod } = parseTypeName(`time(${p})`)!;
      problems.push(...(await compareLiterals(oracle, { sqlType: `time(${p})`, type: time, castTypmod: typmod }, ['04:05:06.789', '23:59:59.999999', '04:05:06.125', '04:05:06.135'])));
    }
    assertNoProblems(problems);
  });

  test('timestamp input, output and precision', async () => {
    const ts = typeByName('timestamp')!;
    const problems = await compareLiterals(oracle, { sqlType: 'timestamp', type: ts }, TIMESTAMPS);
    for (const p of [0, 1, 3]) {
      const { typmod } = parseTypeName(`timestamp(${p})`)!;
      problems.push(
        ...(await compareLiterals(oracle, { sqlType: `timestamp(${p})`, type: ts, castTypmod: typmod }, ['2024-01-02 03:04:05.5', '2024-01-02 03:04:05.4449', '1999-12-31 23:59:59.9999', '0044-03-15 12:00:00.55 BC', 'infinity'])),
      );
    }
    assertNoProblems(problems);
  });

  test('timestamptz input and output in several TimeZone settings', async () => {
    const tstz = typeByName('timestamptz')!;
    const problems: string[] = [];
    for (const zone of ['UTC', 'America/New_York', 'Asia/Kolkata', 'Europe/Berlin', 'Australia/Lord_Howe', 'Pacific/Chatham', '+05:30', 'UTC+3', '-8', 'Etc/GMT+5']) {
      await oracle.exec(`SET TimeZone = '${zone}'`);
      const ctx = context({ timeZone: zone });
      problems.push(...(await compareLiterals(oracle, { sqlType: 'timestamptz', type: tstz, ctx }, TIMESTAMPS)).map((p) => `TimeZone ${zone}: ${p}`));
    }
    await oracle.exec('RESET TimeZone');
    const { typmod } = parseTypeName('timestamp(2) with time zone')!;
    problems.push(...(await compareLiterals(oracle, { sqlType: 'timestamptz(2)', type: tstz, castTypmod: typmod }, ['2024-01-02 03:04:05.125+02', '2024-01-02 03:04:05.135'])));
    assertNoProblems(problems);
  });

  test('interval input and output in each IntervalStyle', async () => {
    const interval = typeByName('interval')!;
    const problems: string[] = [];
    for (const style of ['postgres', 'postgres_verbose', 'sql_standard', 'iso_8601']) {
      await oracle.exec(`SET IntervalStyle = '${style}'`);
      problems.push(...(await compareLiterals(oracle, { sqlType: 'interval', type: interval, ctx: context({ intervalStyle: style }) }, INTERVALS)).map((p) => `${style}: ${p}`));
    }
    await oracle.exec('RESET IntervalStyle');
    assertNoProblems(problems);
  });

  test('interval field and precision typmods', async () => {
    const interval = typeByName('interval')!;
    const problems: string[] = [];
    for (const spelling of ['interval year', 'interval month', 'interval day', 'interval hour', 'interval minute', 'interval second', 'interval year to month', 'interval day to hour', 'interval day to minute', 'interval day to second(2)', 'interval hour to minute', 'interval hour to second', 'interval minute to second', 'interval(0)', 'interval second(3)']) {
      const { typmod } = parseTypeName(spelling)!;
      problems.push(
        ...(await compareLiterals(oracle, { sqlType: spelling, type: interval, inputTypmod: typmod, inlineLiteral: true }, INTERVAL_TYPMOD_LITERALS)),
        ...(await compareLiterals(oracle, { sqlType: spelling, type: interval, castTypmod: typmod }, INTERVAL_TYPMOD_LITERALS)),
      );
    }
    assertNoProblems(problems);
  });
});
