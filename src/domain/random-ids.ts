/**
 * Identifiers drawn from an injected random source (`() => number` in [0, 1)), so tests can pin them.
 * Not for secrets: API keys use node:crypto.
 */
export type Random = () => number;

export function randomString(random: Random, alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[Math.floor(random() * alphabet.length) % alphabet.length];
  return out;
}

export const randomHex = (random: Random, length: number): string =>
  randomString(random, '0123456789abcdef', length);

/** An RFC 4122 version 4 UUID. */
export function randomUuid(random: Random): string {
  const hex = randomHex(random, 32).split('');
  hex[12] = '4';
  hex[16] = '89ab'[Math.floor(random() * 4) % 4];
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
