import { type SipMessage, wireName } from './message.js';

/** Writes a message with a Content-Length that always matches its body (§20.14). */
export function serialize(msg: SipMessage): Buffer {
  const start =
    msg.kind === 'request' ? `${msg.method} ${msg.uri} SIP/2.0` : `SIP/2.0 ${msg.status} ${msg.reason}`;
  let head = `${start}\r\n`;
  for (const h of msg.headers) {
    if (h.name === 'content-length') continue;
    const v = h.value;
    head += `${wireName(h.name)}: ${v.includes('\r') || v.includes('\n') ? v.replace(/[\r\n]+/g, ' ') : v}\r\n`;
  }
  head += `Content-Length: ${msg.body.length}\r\n\r\n`;
  return msg.body.length ? Buffer.concat([Buffer.from(head, 'utf8'), msg.body]) : Buffer.from(head, 'utf8');
}
