import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { NodeUnreachable } from '../../domain/errors.js';
import { errorFromWire, errorToWire, type WireError } from '../../domain/wire-errors.js';
import { FORWARD_TIMEOUT_MS, type NodeLinks, type NodeRequest } from '../live-state.js';
import type { Keys } from './keys.js';

type Message =
  | { t: 'req'; id: string; from: string; req: NodeRequest }
  | { t: 'rep'; id: string; ok: true; value: unknown }
  | { t: 'rep'; id: string; ok: false; error: WireError };

/**
 * Request/reply between nodes over Redis pub/sub: each node listens on its own inbox channel. A request
 * published to an inbox nobody listens on (the node is gone) fails at once; one that gets no reply
 * within the timeout (the node hangs, or died mid-request) fails with `NodeUnreachable` too.
 */
export class RedisLinks implements NodeLinks {
  private handler: ((req: NodeRequest) => Promise<unknown>) | undefined;
  private readonly waiting = new Map<string, { resolve: (m: Message) => void }>();

  constructor(
    private readonly pub: Redis,
    private readonly keys: Keys,
    private readonly nodeId: string,
    private readonly onError: (err: unknown) => void,
  ) {}

  serve(handler: (req: NodeRequest) => Promise<unknown>): void {
    this.handler = handler;
  }

  async ask(nodeId: string, req: NodeRequest, timeoutMs = FORWARD_TIMEOUT_MS): Promise<unknown> {
    const id = randomUUID();
    let timer: NodeJS.Timeout | undefined;
    const answered = new Promise<Message | undefined>((resolve) => {
      this.waiting.set(id, { resolve });
      timer = setTimeout(() => resolve(undefined), timeoutMs);
    });
    try {
      const msg: Message = { t: 'req', id, from: this.nodeId, req };
      const listeners = await this.pub.publish(this.keys.inbox(nodeId), JSON.stringify(msg));
      if (listeners === 0) throw new NodeUnreachable(nodeId);
      const reply = await answered;
      if (reply?.t !== 'rep') throw new NodeUnreachable(nodeId);
      if (!reply.ok) throw errorFromWire(reply.error);
      return reply.value;
    } finally {
      clearTimeout(timer);
      this.waiting.delete(id);
    }
  }

  /** A message on this node's inbox (the subscriber connection hands it here). */
  received(raw: string): void {
    const msg = JSON.parse(raw) as Message;
    if (msg.t === 'rep') {
      this.waiting.get(msg.id)?.resolve(msg);
      return;
    }
    void this.answer(msg);
  }

  private async answer(msg: Extract<Message, { t: 'req' }>): Promise<void> {
    let reply: Message;
    try {
      if (!this.handler) throw new NodeUnreachable(this.nodeId);
      reply = { t: 'rep', id: msg.id, ok: true, value: (await this.handler(msg.req)) ?? null };
    } catch (err) {
      reply = { t: 'rep', id: msg.id, ok: false, error: errorToWire(err) };
    }
    await this.pub.publish(this.keys.inbox(msg.from), JSON.stringify(reply)).catch(this.onError);
  }
}
