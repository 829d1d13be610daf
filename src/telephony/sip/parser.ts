/**
 * SIP message parsing (RFC 3261 §7, §18.3 framing). It never throws: anything it cannot read comes
 * back as an error value, with the headers it did read when the start line was a request, so the
 * caller can still answer 400 (RFC 4475's torture messages are in the unit tests).
 */
import { parseCSeq, parseVia } from './headers.js';
import {
  canonicalName,
  type Header,
  header,
  headerList,
  type SipMessage,
  type SipRequest,
} from './message.js';

export const MAX_HEADER_BYTES = 32 * 1024;
export const MAX_BODY_BYTES = 64 * 1024;
const MAX_HEADERS = 256;

export type ParseResult =
  | { ok: true; message: SipMessage }
  | { ok: false; error: string; status: 400 | 505; request?: SipRequest };

const REQUEST_LINE = /^([A-Za-z0-9.!%*_+`'~-]+) +(\S+) +([^ ]+)$/;
const STATUS_LINE = /^([^ ]+) +(\d{3})(?: (.*))?$/;

function fail(error: string, request?: SipRequest, status: 400 | 505 = 400): ParseResult {
  return { ok: false, error, status, ...(request ? { request } : {}) };
}

/** Index just past the blank line ending the header section, and the blank line's own length. */
function headerEnd(buf: Buffer, from: number): { at: number; sep: number } | undefined {
  const crlf = buf.indexOf('\r\n\r\n', from);
  const lf = buf.indexOf('\n\n', from);
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { at: crlf, sep: 4 };
  if (lf >= 0) return { at: lf, sep: 2 };
  return undefined;
}

function skipLeadingBlankLines(buf: Buffer): number {
  let i = 0;
  while (i < buf.length && (buf[i] === 0x0d || buf[i] === 0x0a)) i++;
  return i;
}

/** Parses one datagram (UDP): the body is what follows the headers, cut to Content-Length. */
export function parseDatagram(buf: Buffer): ParseResult {
  const start = skipLeadingBlankLines(buf);
  const end = headerEnd(buf, start);
  const headBytes = end ? end.at - start : buf.length - start;
  if (headBytes > MAX_HEADER_BYTES) return fail('header section too large');
  const head = buf.subarray(start, end ? end.at : buf.length).toString('utf8');
  const rest = end ? buf.subarray(end.at + end.sep) : Buffer.alloc(0);
  return parseParts(head, rest, false);
}

function parseParts(head: string, rest: Buffer, stream: boolean): ParseResult {
  const lines = unfold(head.split(/\r?\n/));
  const startLine = lines.shift() ?? '';
  const headers: Header[] = [];
  if (lines.length > MAX_HEADERS) return fail('too many headers');
  let bad: string | undefined;
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = colon < 0 ? '' : line.slice(0, colon).trim();
    if (!name || !/^[A-Za-z0-9.!%*_+`'~-]+$/.test(name)) {
      bad ??= `malformed header line "${line.slice(0, 40)}"`;
      continue;
    }
    headers.push({ name: canonicalName(name), value: line.slice(colon + 1).trim() });
  }
  const req = REQUEST_LINE.exec(startLine);
  const partial: SipRequest | undefined = req
    ? { kind: 'request', method: req[1], uri: req[2], headers, body: Buffer.alloc(0) }
    : undefined;
  if (bad) return fail(bad, partial);
  const body = bodyOf(headers, rest, stream);
  if (typeof body === 'string') return fail(body, partial);
  if (req) {
    if (req[3] !== 'SIP/2.0') return fail(`unsupported version ${req[3].slice(0, 20)}`, partial, 505);
    if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(req[2])) return fail('malformed Request-URI', partial);
    const message: SipRequest = { ...partial!, body };
    return checkRequired(message) ?? { ok: true, message };
  }
  const res = STATUS_LINE.exec(startLine);
  if (!res) return fail('malformed start line');
  if (res[1] !== 'SIP/2.0') return fail('unsupported version', undefined, 505);
  const status = Number(res[2]);
  if (status < 100 || status > 699) return fail('status code out of range');
  const message: SipMessage = { kind: 'response', status, reason: res[3] ?? '', headers, body };
  return checkRequired(message) ?? { ok: true, message };
}

/** Header lines starting with whitespace continue the previous one (§7.3.1 folding). */
function unfold(lines: string[]): string[] {
  const out: string[] = [];
  for (const line of lines) {
    if ((line.startsWith(' ') || line.startsWith('\t')) && out.length > 1)
      out[out.length - 1] += ` ${line.trim()}`;
    else out.push(line);
  }
  return out;
}

function bodyOf(headers: Header[], rest: Buffer, stream: boolean): Buffer | string {
  const values = headers.filter((h) => h.name === 'content-length').map((h) => h.value);
  if (values.length === 0) return stream ? Buffer.alloc(0) : rest;
  if (values.some((v) => v !== values[0])) return 'conflicting Content-Length headers';
  if (!/^\d{1,10}$/.test(values[0])) return 'malformed Content-Length';
  const length = Number(values[0]);
  if (length > MAX_BODY_BYTES) return 'body too large';
  if (length > rest.length) return 'Content-Length larger than the message';
  return rest.subarray(0, length);
}

/** The headers every transaction needs (§8.1.1): without them we cannot even answer properly. */
function checkRequired(message: SipMessage): ParseResult | undefined {
  const partial = message.kind === 'request' ? message : undefined;
  for (const name of ['via', 'from', 'to', 'call-id', 'cseq']) {
    if (!header(message, name)) return fail(`missing ${name} header`, partial);
  }
  const vias = headerList(message, 'via');
  if (vias.length === 0 || !parseVia(vias[0])) return fail('malformed Via header', partial);
  const cseq = parseCSeq(header(message, 'cseq')!);
  if (!cseq) return fail('malformed CSeq header', partial);
  if (message.kind === 'request' && cseq.method !== message.method)
    return fail('CSeq method mismatch', partial);
  const mf = header(message, 'max-forwards');
  if (mf !== undefined && !/^\d{1,3}$/.test(mf)) return fail('malformed Max-Forwards', partial);
  return undefined;
}

/**
 * Frames messages out of a TCP byte stream (§18.3): Content-Length is required there, so the
 * framer knows where each message ends. Keep-alive CRLFs between messages are skipped.
 */
export class StreamFramer {
  private buf: Buffer = Buffer.alloc(0);

  /** Appends bytes; returns the complete messages, or `error` when the stream cannot be resynchronised. */
  push(chunk: Buffer): { messages: ParseResult[]; error?: string } {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const messages: ParseResult[] = [];
    for (;;) {
      const start = skipLeadingBlankLines(this.buf);
      if (start > 0) this.buf = this.buf.subarray(start);
      if (this.buf.length === 0) break;
      const end = headerEnd(this.buf, 0);
      if (!end) {
        if (this.buf.length > MAX_HEADER_BYTES) return { messages, error: 'header section too large' };
        break;
      }
      if (end.at > MAX_HEADER_BYTES) return { messages, error: 'header section too large' };
      const head = this.buf.subarray(0, end.at).toString('utf8');
      const length = declaredLength(head);
      if (length === undefined) return { messages, error: 'malformed Content-Length' };
      if (length > MAX_BODY_BYTES) return { messages, error: 'body too large' };
      const total = end.at + end.sep + length;
      if (this.buf.length < total) break;
      messages.push(parseParts(head, this.buf.subarray(end.at + end.sep, total), true));
      this.buf = this.buf.subarray(total);
    }
    return { messages };
  }
}

function declaredLength(head: string): number | undefined {
  const m = /(?:^|\n)[ \t]*(?:content-length|l)[ \t]*:[ \t]*([^\r\n]*)/i.exec(head);
  if (!m) return 0;
  const v = m[1].trim();
  return /^\d{1,10}$/.test(v) ? Number(v) : undefined;
}
