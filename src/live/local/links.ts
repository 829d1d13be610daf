import { NodeUnreachable } from '../../domain/errors.js';
import type { NodeLinks, NodeRequest } from '../live-state.js';

/** One process, no other node: a request for this node runs here, any other node is unreachable. */
export class LocalLinks implements NodeLinks {
  private handler: ((req: NodeRequest) => Promise<unknown>) | undefined;

  constructor(private readonly nodeId: string) {}

  serve(handler: (req: NodeRequest) => Promise<unknown>): void {
    this.handler = handler;
  }

  async ask(nodeId: string, req: NodeRequest): Promise<unknown> {
    if (nodeId !== this.nodeId || !this.handler) throw new NodeUnreachable(nodeId);
    return this.handler(req);
  }
}
