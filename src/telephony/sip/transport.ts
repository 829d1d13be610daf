/**
 * UDP and TCP on one address (RFC 3261 §18). Both deliver parsed messages with their source;
 * malformed requests are handed back with what could be read so the layer above can answer 400.
 * TCP connections are kept per remote address and reused for requests and responses alike.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import type { SipMessage, SipRequest } from './message.js';
import { type ParseResult, parseDatagram, StreamFramer } from './parser.js';
import { serialize } from './serialize.js';

export type Protocol = 'UDP' | 'TCP';

export interface Peer {
  protocol: Protocol;
  host: string;
  port: number;
}

export interface TransportHandlers {
  message(msg: SipMessage, from: Peer): void;
  malformed(error: string, status: 400 | 505, from: Peer, request?: SipRequest): void;
}

export interface Transport {
  readonly address: { host: string; port: number };
  send(msg: SipMessage, to: Peer): void;
  close(): Promise<void>;
}

const TCP_IDLE_MS = 5 * 60_000;

/** Binds UDP and TCP to the same port; with port 0 it retries until both get the same free port. */
export async function listen(host: string, port: number, handlers: TransportHandlers): Promise<Transport> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await listenOnce(host, port, handlers);
    } catch (err) {
      if (port !== 0 || attempt >= 20) throw err;
    }
  }
}

async function listenOnce(host: string, port: number, handlers: TransportHandlers): Promise<Transport> {
  const udp = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  const conns = new Map<string, net.Socket>();
  const key = (h: string, p: number) => `${h}|${p}`;

  const deliver = (r: ParseResult, from: Peer) => {
    if (r.ok) handlers.message(r.message, from);
    else handlers.malformed(r.error, r.status, from, r.request);
  };

  udp.on('message', (buf, rinfo) => {
    // A lone CRLF (or CRLFCRLF) is a keep-alive ping (RFC 5626 §3.5.1), not a message.
    if (buf.length <= 4 && buf.every((b) => b === 0x0d || b === 0x0a)) return;
    deliver(parseDatagram(buf), { protocol: 'UDP', host: rinfo.address, port: rinfo.port });
  });
  udp.on('error', () => {});

  const adopt = (sock: net.Socket, peer: Peer) => {
    const k = key(peer.host, peer.port);
    conns.set(k, sock);
    const framer = new StreamFramer();
    sock.setTimeout(TCP_IDLE_MS, () => sock.destroy());
    sock.on('data', (chunk) => {
      const { messages, error } = framer.push(chunk);
      for (const m of messages) deliver(m, peer);
      if (error) {
        handlers.malformed(error, 400, peer);
        sock.destroy();
      }
    });
    sock.on('error', () => {});
    sock.on('close', () => {
      if (conns.get(k) === sock) conns.delete(k);
    });
  };

  const server = net.createServer((sock) => {
    adopt(sock, { protocol: 'TCP', host: normalise(sock.remoteAddress ?? ''), port: sock.remotePort ?? 0 });
  });

  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(port, host, () => {
      udp.off('error', reject);
      resolve();
    });
  });
  const bound = udp.address().port;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => {
      udp.close();
      reject(err);
    });
    server.listen(bound, host, () => {
      server.removeAllListeners('error');
      server.on('error', () => {});
      resolve();
    });
  });

  let closed = false;
  return {
    address: { host, port: bound },
    send(msg, to) {
      // Timers of ended transactions may still fire during shutdown: sending then is a no-op.
      if (closed) return;
      const bytes = serialize(msg);
      if (to.protocol === 'UDP') {
        udp.send(bytes, to.port, to.host);
        return;
      }
      let sock = conns.get(key(to.host, to.port));
      if (!sock || sock.destroyed) {
        sock = net.connect({ host: to.host, port: to.port });
        adopt(sock, to);
      }
      sock.write(bytes);
    },
    async close() {
      closed = true;
      for (const s of conns.values()) s.destroy();
      await Promise.all([
        new Promise<void>((r) => udp.close(() => r())),
        new Promise<void>((r) => server.close(() => r())),
      ]);
    },
  };
}

function normalise(addr: string): string {
  return addr.startsWith('::ffff:') ? addr.slice(7) : addr;
}
