/** RFC 3339 date-time with an explicit offset (Z or ±hh:mm); fractional seconds optional. */
const rfc3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

/** Already in the output form: UTC, "T" and "Z" upper-case, exactly three fraction digits. */
const utcMillisForm = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Converts an RFC 3339 timestamp to UTC ISO-8601 with milliseconds; undefined when invalid. */
export function toUtcTimestamp(value: string): string | undefined {
  // Most producers already send this form: its fields are checked in place, nothing is parsed or printed again.
  if (utcMillisForm.test(value)) {
    const at = (start: number, count: number) => digitsAt(value, start, count);
    return isRealDateTime(at(0, 4), at(5, 2), at(8, 2), at(11, 2), at(14, 2), at(17, 2)) ? value : undefined;
  }
  const match = rfc3339.exec(value);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (!isRealDateTime(year, month, day, hour, minute, second)) return undefined;
  const millis = Date.parse(value.toUpperCase());
  if (Number.isNaN(millis)) return undefined;
  return new Date(millis).toISOString();
}

function isRealDateTime(year: number, month: number, day: number, hour: number, minute: number, second: number): boolean {
  return month >= 1 && month <= 12 && hour <= 23 && minute <= 59 && second <= 59 && day >= 1 && day <= daysInMonth(year, month);
}

/** The number written by `count` ASCII digits from `start`. */
function digitsAt(text: string, start: number, count: number): number {
  let number = 0;
  for (let index = start; index < start + count; index++) number = number * 10 + text.charCodeAt(index) - 48;
  return number;
}

/** A calendar date (YYYY-MM-DD) that exists. */
export function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [, year, month, day] = match.map(Number) as number[];
  return month! >= 1 && month! <= 12 && day! >= 1 && day! <= daysInMonth(year!, month!);
}

const monthDays = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Days in a month of the proleptic Gregorian calendar. Years 0 to 99 count as 1900 to
 * 1999, as Date.UTC reads them (the rule this replaces, kept so that no verdict changes).
 */
function daysInMonth(year: number, month: number): number {
  if (month !== 2) return monthDays[month - 1]!;
  const y = year >= 0 && year <= 99 ? 1900 + year : year;
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
}
