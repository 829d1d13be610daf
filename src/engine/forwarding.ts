import type { CallControl } from '../domain/call-control.js';
import type { PartyControl } from '../domain/party-control.js';
import type { LiveState } from '../live/live-state.js';

type Methods = Record<string, (...args: any[]) => Promise<unknown>>;

interface Local {
  /** Whether this node runs the call (or the transfer) with this uuid. */
  has(uuid: string): boolean;
  callControl: CallControl;
  parties: PartyControl;
}

/**
 * Call control and party control as every node offers them: a command for a call this node runs is
 * run here; one for a call another node owns (the live-call registry says which) is sent to that node
 * and its answer — or its typed error — comes back as if it had run here. A call no node owns is run
 * here too, where it gets the engine's own "call not live". docs/nodes.md describes the wire.
 */
export function forwarding(
  live: LiveState,
  local: Local,
): { callControl: CallControl; parties: PartyControl } {
  const tables: Record<string, Methods> = {
    call_control: local.callControl as unknown as Methods,
    party: local.parties as unknown as Methods,
  };
  live.links.serve(async ({ kind, body }) => {
    const { method, args } = body as { method: string; args: unknown[] };
    const table = tables[kind];
    const fn = table && Object.hasOwn(table, method) ? table[method] : undefined;
    if (!fn) throw new Error(`unknown forwarded command ${kind}.${method}`);
    return fn.apply(table, args);
  });
  const wrap = <T>(kind: string, uuidOf: (args: unknown[]) => string): T => {
    const table = tables[kind];
    const out: Methods = {};
    for (const method of Object.keys(table)) {
      out[method] = async (...args: unknown[]) => {
        const run = () => table[method].apply(table, args);
        const uuid = uuidOf(args);
        if (local.has(uuid)) return run();
        const owner = await live.calls.ownerOf(uuid);
        if (!owner || owner === live.nodeId) return run();
        return live.links.ask(owner, { kind, body: { method, args } });
      };
    }
    return out as T;
  };
  return {
    callControl: wrap<CallControl>('call_control', (args) => String(args[0])),
    // Every party method takes a PartyRef first, except record and end (companyId, callUuid, …).
    parties: wrap<PartyControl>('party', (args) =>
      typeof args[0] === 'object' && args[0] !== null
        ? (args[0] as { callUuid: string }).callUuid
        : String(args[1]),
    ),
  };
}
