import type { SourceContract } from './contract.ts';
import claims from './sources/claims.ts';
import policies from './sources/policies.ts';
import transactions from './sources/transactions.ts';

/** Every source the platform accepts. Adding a source: a file in sources/ and a line here. */
export const contracts: ReadonlyMap<string, SourceContract> = new Map(
  [transactions, policies, claims].map((contract) => [contract.source, contract]),
);

export const sourceNames = (): string[] => [...contracts.keys()];

export function findContract(source: string): SourceContract | undefined {
  return contracts.get(source);
}
