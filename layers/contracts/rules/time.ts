/** RFC 3339 date-time with an explicit offset (Z or ±hh:mm); fractional seconds optional. */
const rfc3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

/** Converts an RFC 3339 timestamp to UTC ISO-8601 with milliseconds; undefined when invalid. */
export function toUtcTimestamp(value: string): string | undefined {
  const match = rfc3339.exec(value);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second] = match.map(Number) as number[];
  if (month! < 1 || month! > 12 || hour! > 23 || minute! > 59 || second! > 59) return undefined;
  if (day! < 1 || day! > daysInMonth(year!, month!)) return undefined;
  const millis = Date.parse(value.toUpperCase());
  return Number.isNaN(millis) ? undefined : new Date(millis).toISOString();
}

/** A calendar date (YYYY-MM-DD) that exists. */
export function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [, year, month, day] = match.map(Number) as number[];
  return month! >= 1 && month! <= 12 && day! >= 1 && day! <= daysInMonth(year!, month!);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}
