import { describe, expect, it } from 'vitest';
import { currencies, isCurrencyCode } from '#contracts/rules/currency.ts';
import { policySchema } from '#contracts/sources/policies.ts';
import { readSeed, seededTables } from '../../../layers/reference-data/reference-data.ts';
import { currencies as sampleCurrencies, merchants } from '../../../tools/sample-data/values.ts';

/** The shipped reference rows agree with the contracts and cover what the sample generator produces. */

const productsOfContract = () => (policySchema.in.shape.product as unknown as { options: string[] }).options;

describe('reference data seed', () => {
  it('seeds ref.currencies from the contracts’ one currency list', async () => {
    const rows = await seededTables.find((table) => table.table === 'currencies')!.rows();

    expect(rows).toEqual(currencies.map((currency) => ({ code: currency.code, name: currency.name, minor_units: currency.minorUnits })));
    expect(rows).toContainEqual({ code: 'JPY', name: 'Yen', minor_units: 0 });
  });

  it('has one insurance product per product of the policy contract, each in a known line of business', async () => {
    const products = await readSeed('insurance-products.csv');
    const lines = new Set((await readSeed('lines-of-business.csv')).map((line) => line.code));

    expect(products.map((product) => product.code).sort()).toEqual([...productsOfContract()].sort());
    for (const product of products) expect(lines, String(product.code)).toContain(product.line_of_business);
  });

  it('describes every merchant category code the sample generator uses', async () => {
    const codes = new Set((await readSeed('merchant-categories.csv')).map((category) => category.code));

    for (const [, code] of merchants) expect(codes, code).toContain(code);
  });

  it('has a daily rate to EUR for each sample currency over the generated period, except the gaps left on purpose', async () => {
    const rates = await readSeed('fx-rates.csv');
    const have = new Set(rates.filter((rate) => rate.quote_currency === 'EUR').map((rate) => `${rate.base_currency} ${rate.rate_date}`));
    const missing: string[] = [];
    for (const currency of new Set(sampleCurrencies.filter((code) => code !== 'EUR'))) {
      for (let day = Date.UTC(2026, 0, 1); day <= Date.UTC(2026, 2, 2); day += 86_400_000) {
        const key = `${currency} ${new Date(day).toISOString().slice(0, 10)}`;
        if (!have.has(key)) missing.push(key);
      }
    }

    expect(missing.sort()).toEqual(['JPY 2026-01-20', 'SEK 2026-02-14', 'SEK 2026-02-15']);
    for (const rate of rates) {
      expect(isCurrencyCode(String(rate.base_currency)) && isCurrencyCode(String(rate.quote_currency))).toBe(true);
      expect(String(rate.rate)).toMatch(/^\d+\.\d{1,8}$/);
    }
  });
});
