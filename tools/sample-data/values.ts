import { passesLuhn } from '#contracts/rules/card.ts';
import { minorUnits } from '#contracts/rules/currency.ts';
import type { SeededRandom } from './random.ts';

export const currencies = ['EUR', 'EUR', 'EUR', 'GBP', 'GBP', 'USD', 'USD', 'CHF', 'JPY', 'SEK'] as const;

/** An amount as a decimal string with the currency's minor units, skewed towards small values. */
export function amount(random: SeededRandom, currency: string, max = 5000): string {
  const places = minorUnits(currency) ?? 2;
  const scale = currency === 'JPY' ? 150 : 1;
  const value = Math.min(max, Math.exp(random.next() * Math.log(max))) * scale;
  const units = Math.round(value * 10 ** places);
  const text = String(units).padStart(places + 1, '0');
  return places === 0 ? text : `${text.slice(0, -places)}.${text.slice(-places)}`;
}

/** A 16-digit Visa-range card number with a correct check digit. */
export function cardNumber(random: SeededRandom): string {
  const body = `4${random.digits(14)}`;
  for (let check = 0; check <= 9; check++) {
    if (passesLuhn(`${body}${check}`)) return `${body}${check}`;
  }
  throw new Error('unreachable: one check digit always satisfies Luhn');
}

export const isoDate = (date: Date) => date.toISOString().slice(0, 10);

/** RFC 3339 with a non-UTC offset now and then, as real producers send. */
export function timestamp(random: SeededRandom, date: Date): string {
  if (random.chance(0.8)) return date.toISOString();
  const offsetHours = random.pick([1, 2, -5, 5.5]);
  const local = new Date(date.getTime() + offsetHours * 3_600_000).toISOString().slice(0, 19);
  const sign = offsetHours < 0 ? '-' : '+';
  const hours = String(Math.floor(Math.abs(offsetHours))).padStart(2, '0');
  const minutes = Math.abs(offsetHours) % 1 === 0 ? '00' : '30';
  return `${local}${sign}${hours}:${minutes}`;
}

export const merchants = [
  ['Café Central', '5812'], ['Northwind Grocers', '5411'], ['Metro Fuel', '5541'], ['Skyline Air', '4511'],
  ['Bookhaus', '5942'], ['City Pharmacy', '5912'], ['Harbour Hotel', '7011'], ['Volt Electronics', '5732'],
] as const;
