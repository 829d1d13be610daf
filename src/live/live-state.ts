import type { WireError } from '../domain/wire-errors.js';
import type { EventBus } from './bus.js';

/**
 * The live state: what must be atomic and fast while calls are live, and shared by every node when
 * several share the work (DESIGN.md §1). One port, two implementations: in this process
 * (`local.ts`, the default) and on Redis (`redis/`, when `REDIS_URL` is set). The engine and the
 * services receive it (or the part of it they need), never a concrete implementation.
 *
 * Every operation is asynchronous, because on Redis every one is a round trip; the in-process one
 * answers at once.
 */
export interface LiveState {
  /** This node's name (`NODE_ID`): live calls are registered under it. */
  readonly nodeId: string;
  readonly leases: Leases;
  readonly calls: CallRegistry;
  readonly locks: Locks;
  readonly idempotency: Idempotency;
  readonly rateLimits: RateLimits;
  readonly bus: EventBus;
  /** Asks the node that owns a live call to run a command for it (`forwarding.ts`). */
  readonly links: NodeLinks;
  /** Shared (Redis) or only this process (in-process). */
  readonly shared: boolean;
  close(): Promise<void>;
}

// ---- leases: concurrency slots and cap counters -------------------------------------------------

/** Who a concurrency cap belongs to. */
export type OwnerKey = `target:${number}` | `target_group:${number}`;

export interface CapClaim {
  /** Identifies the cap and its current period, e.g. `target:7:Daily:1735689600000`. */
  window: string;
  limit: number;
  /** Usage recorded in the database for this window, used the first time the window is seen. */
  stored: number;
}

export interface Claim {
  owner: OwnerKey;
  concurrencyCap: number | null;
  caps: CapClaim[];
}

/** One call's hold on the slots of one dial attempt. Each step is idempotent. */
export interface Lease {
  /** The call connected: its cap reservations become usage. */
  commit(): Promise<void>;
  /** The attempt ended: frees the concurrency slot and any uncommitted cap reservation. */
  release(): Promise<void>;
  /** The call was taken back (live call return): its usage no longer counts against the caps. */
  uncommit(): Promise<void>;
}

/** How many calls each owner is on now: what routing reads of the live state (one round trip). */
export interface LeaseCounts {
  counts(owners: readonly OwnerKey[]): Promise<Map<OwnerKey, number>>;
}

/**
 * Atomic check-and-take of concurrency slots and cap reservations: two calls racing for the last
 * slot never both get it, whatever node each runs on. `callUuid` says whose lease it is, so the
 * leases of a call that is no longer live (a forgotten path, a dead node) can be taken back.
 */
export interface Leases extends LeaseCounts {
  tryAcquire(claims: readonly Claim[], callUuid: string): Promise<Lease | undefined>;
  /**
   * A slot held for something that is not a call yet: an RTB reservation whose key says
   * `add_to_caps_on_status_reserved` counts toward its buyer until claimed or `ttlMs` has passed.
   * Check-and-take against `concurrencyCap` like a call's lease; false when the owner is full
   * (true when `id` already holds a slot).
   */
  hold(id: string, owner: OwnerKey, ttlMs: number, concurrencyCap?: number | null): Promise<boolean>;
  /** Frees a hold (claimed, expired); unknown ids are ignored, so both ends may call it. */
  unhold(id: string): Promise<void>;
  /** Releases every lease of the given calls (ended by a survivor, swept); how many it released. */
  releaseCalls(callUuids: readonly string[]): Promise<number>;
  /** Calls a node (default: this one) holds leases for: the sweeper checks them against its live calls. */
  heldBy(nodeId?: string): Promise<string[]>;
}

// ---- call ownership ------------------------------------------------------------------------------

/**
 * Which node owns which live call. A node's ownership is a lease renewed by its heartbeat: when a
 * node stops beating for `NODE_LEASE_MS` (it died), its calls are up for a survivor to end.
 */
export interface CallRegistry {
  /** This node owns the call (and the transfer uuids later added for it). */
  own(callUuid: string): Promise<void>;
  /** Another uuid (a transfer's) that reaches the same call. */
  alias(uuid: string, callUuid: string): Promise<void>;
  /** The call ended: its uuid and aliases are forgotten. */
  forget(callUuid: string, aliases?: readonly string[]): Promise<void>;
  /** The node owning the call or transfer with this uuid, if any node registered it. */
  ownerOf(uuid: string): Promise<string | undefined>;
  /** Renews this node's lease (every checkpoint). */
  heartbeat(now: number): Promise<void>;
  /** Nodes whose lease has expired at `now` (they stopped beating); never this node. */
  deadNodes(now: number): Promise<string[]>;
  /** Whether the node's lease is live at `now`. */
  alive(nodeId: string, now: number): Promise<boolean>;
  /** A survivor took the dead node's calls over: it is no longer listed. */
  bury(nodeId: string): Promise<void>;
}

/** How long a node's heartbeat counts: a node silent this long is dead and its calls are ended. */
export const NODE_LEASE_MS = 15_000;

// ---- keyed locks ------------------------------------------------------------------------------------

export interface LockOptions {
  /** The lock frees itself after this long even if its holder died (ms). */
  ttlMs?: number;
  /** How long to wait for an earlier holder before giving up with `LockBusy` (ms). */
  waitMs?: number;
}

/** Mutual exclusion per key, across nodes when shared, with an expiry so a dead holder frees it. */
export interface Locks {
  withLock<T>(key: string, fn: () => Promise<T>, opts?: LockOptions): Promise<T>;
}

// ---- idempotency --------------------------------------------------------------------------------

export type IdempotentResult<T> =
  | { kind: 'first'; answer: T }
  | { kind: 'replay'; answer: T }
  | { kind: 'mismatch' };

/**
 * Remembers answers to requests sent with an `Idempotency-Key`, so a client retrying after a lost
 * response does not transfer a call twice, whichever node the retry reaches. Answers must be plain
 * JSON (they may travel through Redis). A duplicate arriving while the first runs waits for its answer.
 */
export interface Idempotency {
  run<T>(
    key: string,
    fingerprint: string,
    fn: () => Promise<T>,
    keep?: (answer: T) => boolean,
  ): Promise<IdempotentResult<T>>;
}

// ---- rate limits --------------------------------------------------------------------------------

/** Fixed-window request counter per key (one window per minute). */
export interface RateLimits {
  /** Counts a request; 0 when it may go on, otherwise seconds until the window resets. */
  hit(key: string, limitPerMinute: number): Promise<number>;
}

/** One limit over the shared counters: what each API face's edge asks per request. */
export interface RateLimiter {
  /** 0 when the request may go on, otherwise seconds until the window resets. */
  hit(key: string): Promise<number>;
}

export function rateLimiter(limits: RateLimits, limitPerMinute: number): RateLimiter {
  return { hit: (key) => limits.hit(key, limitPerMinute) };
}

// ---- command forwarding ---------------------------------------------------------------------------

/** A command for a live call, as it travels between nodes (plain JSON). */
export interface NodeRequest {
  /** Which handler runs it on the owner (`call_control`, `party`). */
  kind: string;
  body: unknown;
}

export type NodeReply = { ok: true; value: unknown } | { ok: false; error: WireError };

/** Request/reply between nodes: a node asks the owner of a call to run a command for it. */
export interface NodeLinks {
  /** What this node runs when another node forwards a request to it. */
  serve(handler: (req: NodeRequest) => Promise<unknown>): void;
  /** Runs `req` on `nodeId` and resolves with its answer; rejects `NodeUnreachable` after `timeoutMs`. */
  ask(nodeId: string, req: NodeRequest, timeoutMs?: number): Promise<unknown>;
}

/** How long a forwarded command may take before the asking node answers "node unreachable". */
export const FORWARD_TIMEOUT_MS = 8_000;
