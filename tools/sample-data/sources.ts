import type { SeededRandom } from './random.ts';
import { amount, cardNumber, currencies, isoDate, merchants, timestamp } from './values.ts';

export type SampleRecord = Record<string, unknown>;

const DAY = 86_400_000;
const epoch = Date.UTC(2026, 0, 1);

/** Fields that hold another source's business key: a sample's key prefix applies to them too. */
export const referencedKeys: Record<string, string[]> = { claims: ['policyId'] };

/** A valid first version of an entity; `index` makes the business key unique. */
export const newRecord: Record<string, (random: SeededRandom, index: number) => SampleRecord> = {
  transactions(random, index) {
    const currency = random.pick(currencies);
    const occurredAt = new Date(epoch + random.int(0, 60 * DAY));
    const [merchantName, merchantCategoryCode] = random.pick(merchants);
    return {
      transactionId: `TX-${String(index).padStart(8, '0')}`,
      accountId: `ACC-${random.int(1, 5000)}`,
      type: random.pick(['debit', 'debit', 'debit', 'credit', 'refund']),
      status: 'pending',
      amount: amount(random, currency),
      currency,
      ...(random.chance(0.7) ? { cardNumber: cardNumber(random) } : {}),
      merchantName,
      merchantCategoryCode,
      occurredAt: timestamp(random, occurredAt),
      updatedAt: occurredAt.toISOString(),
    };
  },
  policies(random, index) {
    const currency = random.pick(currencies);
    const start = new Date(epoch + random.int(0, 300) * DAY);
    return {
      policyId: `POL-${String(index).padStart(8, '0')}`,
      policyholderId: `PH-${random.int(1, 20000)}`,
      product: random.pick(['motor', 'home', 'life', 'travel', 'health']),
      status: 'quoted',
      premium: amount(random, currency, 3000),
      sumInsured: amount(random, currency, 500000),
      currency,
      startDate: isoDate(start),
      endDate: isoDate(new Date(start.getTime() + 365 * DAY)),
      updatedAt: timestamp(random, new Date(start.getTime() - random.int(1, 30) * DAY)),
    };
  },
  claims(random, index) {
    const currency = random.pick(currencies);
    const loss = new Date(epoch + random.int(0, 300) * DAY);
    const reported = new Date(loss.getTime() + random.int(0, 10) * DAY + random.int(0, 86_000) * 1000);
    return {
      claimId: `CLM-${String(index).padStart(8, '0')}`,
      // Mostly the policies of a sample of a few hundred, so gold tables join them; some unknown.
      policyId: `POL-${String(random.int(1, 600)).padStart(8, '0')}`,
      lossType: random.pick(['collision', 'theft', 'fire', 'water', 'injury', 'medical', 'travel-delay', 'other']),
      status: 'reported',
      lossDate: isoDate(loss),
      reportedAt: timestamp(random, reported),
      claimedAmount: amount(random, currency, 20000),
      currency,
      updatedAt: reported.toISOString(),
    };
  },
};

/** A later version of the same entity (a status change), dated after `previous`. */
export function updatedRecord(source: string, random: SeededRandom, previous: SampleRecord, updatedAt: Date): SampleRecord {
  const statusFlow: Record<string, string[]> = {
    transactions: ['posted', 'posted', 'reversed'],
    policies: ['active', 'active', 'lapsed', 'cancelled'],
    claims: ['assessing', 'approved', 'rejected'],
  };
  return { ...previous, status: random.pick(statusFlow[source]!), updatedAt: updatedAt.toISOString() };
}

/** The earliest event time a version of this entity may carry (a contract rule). */
export function earliestEventTime(source: string, record: SampleRecord): number {
  return source === 'transactions' ? Date.parse(String(record.occurredAt)) : Number.NEGATIVE_INFINITY;
}

/** Ways a producer gets a record wrong, each breaking one real rule of the contract. */
export const invalidations: Record<string, { reason: string; apply: (record: SampleRecord) => SampleRecord }[]> = {
  transactions: [
    { reason: 'unknown currency', apply: (r) => ({ ...r, currency: 'XXY' }) },
    { reason: 'money as a number', apply: (r) => ({ ...r, amount: Number(r.amount) }) },
    { reason: 'card fails Luhn', apply: (r) => ({ ...r, cardNumber: '4111111111111112' }) },
    { reason: 'timestamp without offset', apply: (r) => ({ ...r, occurredAt: String(r.updatedAt).slice(0, 19) }) },
  ],
  policies: [
    { reason: 'policy ends before it starts', apply: (r) => ({ ...r, endDate: '2020-01-01' }) },
    { reason: 'negative premium', apply: (r) => ({ ...r, premium: `-${r.premium}` }) },
    { reason: 'unknown product', apply: (r) => ({ ...r, product: 'pet' }) },
  ],
  claims: [
    { reason: 'claim reported before loss', apply: (r) => ({ ...r, reportedAt: '2025-01-01T00:00:00Z', updatedAt: '2025-01-01T00:00:00Z' }) },
    { reason: 'paid without paid amount', apply: (r) => ({ ...r, status: 'paid' }) },
    { reason: 'impossible loss date', apply: (r) => ({ ...r, lossDate: '2026-02-30' }) },
  ],
};
