/**
 * G.711 μ-law and A-law (ITU-T G.711) as lookup tables: the relay path runs 50 times a second per
 * leg, so encoding is one array read per sample and μ-law ↔ A-law transcoding one per byte.
 */
export type Law = 'PCMU' | 'PCMA';

function ulawEncode(sample: number): number {
  const BIAS = 0x84;
  let s = sample;
  const sign = s < 0 ? 0x80 : 0;
  if (s < 0) s = -s;
  if (s > 32635) s = 32635;
  s += BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

function ulawDecode(byte: number): number {
  const u = ~byte & 0xff;
  const exponent = (u >> 4) & 0x07;
  const s = ((((u & 0x0f) << 3) + 0x84) << exponent) - 0x84;
  return u & 0x80 ? -s : s;
}

function alawEncode(sample: number): number {
  let s = sample;
  const sign = s >= 0 ? 0x80 : 0;
  if (s < 0) s = -s - 1;
  if (s > 32635) s = 32635;
  let code: number;
  if (s >= 256) {
    let exponent = 7;
    for (let mask = 0x4000; (s & mask) === 0 && exponent > 1; mask >>= 1) exponent--;
    code = (exponent << 4) | ((s >> (exponent + 3)) & 0x0f);
  } else code = s >> 4;
  return (code | sign) ^ 0x55;
}

function alawDecode(byte: number): number {
  const a = byte ^ 0x55;
  let t = (a & 0x0f) << 4;
  const seg = (a & 0x70) >> 4;
  if (seg === 0) t += 8;
  else if (seg === 1) t += 0x108;
  else t = (t + 0x108) << (seg - 1);
  return a & 0x80 ? t : -t;
}

function tables(encode: (s: number) => number, decode: (b: number) => number) {
  const enc = new Uint8Array(65536);
  for (let i = 0; i < 65536; i++) enc[i] = encode(i - 32768);
  const dec = new Int16Array(256);
  for (let b = 0; b < 256; b++) dec[b] = decode(b);
  return { enc, dec };
}

const ULAW = tables(ulawEncode, ulawDecode);
const ALAW = tables(alawEncode, alawDecode);
const LAW = { PCMU: ULAW, PCMA: ALAW };

const U2A = new Uint8Array(256).map((_, b) => ALAW.enc[ULAW.dec[b] + 32768]);
const A2U = new Uint8Array(256).map((_, b) => ULAW.enc[ALAW.dec[b] + 32768]);

export function encode(law: Law, pcm: Int16Array): Buffer {
  const t = LAW[law].enc;
  const out = Buffer.allocUnsafe(pcm.length);
  for (let i = 0; i < pcm.length; i++) out[i] = t[pcm[i] + 32768];
  return out;
}

export function decode(law: Law, bytes: Uint8Array): Int16Array {
  const t = LAW[law].dec;
  const out = new Int16Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = t[bytes[i]];
  return out;
}

/** Rewrites a payload from one law to the other in place (a no-op when they match). */
export function transcode(from: Law, to: Law, bytes: Buffer): Buffer {
  if (from === to) return bytes;
  const t = from === 'PCMU' ? U2A : A2U;
  const out = Buffer.allocUnsafe(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = t[bytes[i]];
  return out;
}

/** The byte for digital silence in each law. */
export const SILENCE = { PCMU: 0xff, PCMA: 0xd5 } as const;
