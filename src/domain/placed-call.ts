/**
 * A call the platform places itself, rather than one arriving on a tracking number: ring one side
 * first (leg A: an agent's phone, a RingCentral user's device), then the other (leg B: the end user,
 * the ring-out destination), and bridge them. The engine carries it (src/engine/outbound-call.ts);
 * faces and services ask for one through `CallPlacer`, never by importing the engine.
 */
export interface PlacedDial {
  to: string;
  /** How long this phone may ring before it counts as not answered. */
  timeoutS: number;
}

export interface PlaceCallRequest {
  companyId: number;
  /** Caller id both legs see (an outbound number of the company). */
  from: string;
  /**
   * Leg A, as offers tried one after another until one is answered; the phones of one offer ring at
   * once and the first to answer wins (a cascade is one phone per offer; a multicast one offer of all).
   */
  first: PlacedDial[][];
  /** Leg B, dialed once leg A answered; bridged to it when it answers. */
  second: PlacedDial;
  /** Start recording once the two are bridged. */
  record?: boolean;
  /**
   * Once both answered, leg A handles the call and leg B plays the caller's part: leg A may then
   * transfer leg B away (held meanwhile), as a contact-center agent transfers the end user. Without it,
   * leg A keeps the caller's part throughout.
   */
  firstLegHandles?: boolean;
  /**
   * The call's uuid, when the caller needs it before the call starts (a face that records its own row
   * about the call first, so no event of the call is seen without it). Made up by the engine otherwise.
   */
  callUuid?: string;
}

export interface CallPlacer {
  /** Records the call and starts it; resolves with the engine's call uuid. */
  place(req: PlaceCallRequest): Promise<string>;
  /** Resolves once the call's script waits for the network (its first dials are out) or is over. */
  settled(callUuid: string): Promise<void>;
}

/** `via` of a placed call's record: Retreaver's call log shows where a call came from. */
export const PLACED_VIA = 'placed';
