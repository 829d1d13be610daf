import type { CallRegistry } from '../live-state.js';

/**
 * Call ownership in this process: every live call is this node's, and there is no other node to die.
 * (A restart ends the calls it left live: `CallEngine.closeInterrupted`.)
 */
export class LocalCallRegistry implements CallRegistry {
  private readonly owned = new Map<string, string>();

  constructor(private readonly nodeId: string) {}

  async own(callUuid: string): Promise<void> {
    this.owned.set(callUuid, callUuid);
  }
  async alias(uuid: string, callUuid: string): Promise<void> {
    this.owned.set(uuid, callUuid);
  }
  async forget(callUuid: string, aliases: readonly string[] = []): Promise<void> {
    this.owned.delete(callUuid);
    for (const a of aliases) this.owned.delete(a);
  }
  async ownerOf(uuid: string): Promise<string | undefined> {
    return this.owned.has(uuid) ? this.nodeId : undefined;
  }
  async heartbeat(): Promise<void> {}
  async deadNodes(): Promise<string[]> {
    return [];
  }
  async alive(nodeId: string): Promise<boolean> {
    return nodeId === this.nodeId;
  }
  async bury(): Promise<void> {}
}
