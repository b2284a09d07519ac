/**
 * Card verification values and PINs (PCI DSS "sensitive authentication data") may never
 * be stored after authorisation, not even masked or encrypted. A record that carries a
 * field by one of these names, at any depth, is refused: 4xx at ingest, quarantined
 * without the value at validation.
 *
 * Names are compared without case, "_", "-", "." or spaces: `CVV2`, `card_cvc`,
 * `security-code` and `pinBlock` all match.
 */
const secretNames = new Set([
  'cvv', 'cvv2', 'cvc', 'cvc2', 'cid', 'cvn', 'cvn2', 'cav2', 'cvd', 'csc',
  'securitycode', 'cardsecuritycode', 'cardverificationvalue', 'cardverificationcode', 'cardverificationnumber',
  'pin', 'pinblock', 'pincode', 'pinnumber', 'cardpin', 'encryptedpin', 'pinverificationvalue', 'pvv',
]);

/** Endings that mark a secret whatever comes before them, e.g. `cardCvv`, `customer_cvc2`, `offsetPinBlock`. */
const secretEndings = ['cvv', 'cvv2', 'cvc', 'cvc2', 'securitycode', 'pinblock'];

export function isCardSecretField(name: string): boolean {
  let verdict = verdicts.get(name);
  if (verdict === undefined) {
    const normalised = name.toLowerCase().replace(/[\s_.-]/g, '');
    verdict = secretNames.has(normalised) || secretEndings.some((ending) => normalised.endsWith(ending));
    // Records of one source repeat the same few names; a producer inventing names cannot grow this without bound.
    if (verdicts.size >= maxRemembered) verdicts.clear();
    verdicts.set(name, verdict);
  }
  return verdict;
}

const verdicts = new Map<string, boolean>();
const maxRemembered = 10_000;
