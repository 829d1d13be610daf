import type { Prompt } from './prompt.js';

/** Where a routing list hangs: a campaign, a number (its own list) or a menu option. */
export type RoutingOwner = 'campaign' | 'number' | 'menu_option';

/** Settings that steer one call through greeting, menu and routing: a campaign's, or a number's overrides. */
export interface MenuOptionConfig {
  id: number;
  option: string;
  targetNumber: string | null;
  targetCid: string | null;
}

export interface FlowConfig {
  campaignId: number;
  cid: string;
  campaignName: string | null;
  dedupeSeconds: number;
  recordCalls: boolean;
  greeting: Prompt | null;
  repeat: number;
  menuOptions: MenuOptionConfig[];
  /** Tracking pixels: the campaign's, or the number's overrides. */
  timers: { id: number; seconds: number; url: string }[];
  /** Where this flow's routing list lives (the number's own list when it has one). */
  routing: { owner: RoutingOwner; id: number };
}

export interface InboundContext {
  companyId: number;
  number: { id: number; number: string; sid: string | null };
  affiliate: { id: number; afid: string; name: string | null } | null;
  flow: FlowConfig;
}

/** The literal a dynamic buyer's `number` holds: its number comes from a ping at dial time. */
export const INBOUND_NUMBER_TAG = '[inbound_number]';
