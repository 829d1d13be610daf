import type { Client } from './client.js';

interface CallV2 {
  status: string;
  total_duration: number;
  dialed_call_duration: number;
  dialed_number: string | null;
  target_name: string | null;
  hung_up_by: string | null;
  keys_pressed: string[];
  fired_pixels: { fired_pixel: { status: string } }[];
}

/**
 * One line about a finished call, from its record: where it went, how long, the keys pressed and the
 * pixels fired, e.g. `summary: went to Demo sales (+14155550101), 19 s (talked 10 s), keys 1, pixels 1 fired,
 * hung up by target`.
 */
export async function callSummary(api: Client, callUuid: string): Promise<string> {
  let call = await record(api, callUuid);
  // The caller's leg can end a moment before the engine writes the call's final record.
  for (let i = 0; i < 20 && call.status === 'in-progress'; i++) {
    await new Promise((r) => setTimeout(r, 100));
    call = await record(api, callUuid);
  }
  const where = call.dialed_number
    ? `went to ${call.target_name ? `${call.target_name} (${call.dialed_number})` : call.dialed_number}`
    : `went nowhere (${call.status})`;
  const talked = call.dialed_call_duration > 0 ? ` (talked ${call.dialed_call_duration} s)` : '';
  const keys = call.keys_pressed.length ? `keys ${call.keys_pressed.join('')}` : 'no keys';
  return `summary: ${where}, ${call.total_duration} s${talked}, ${keys}, ${pixels(call)}, hung up by ${call.hung_up_by ?? 'nobody'}`;
}

async function record(api: Client, callUuid: string): Promise<CallV2> {
  return (await api.get<{ call: CallV2 }>(`/api/v2/calls/${encodeURIComponent(callUuid)}.json`)).call;
}

function pixels(call: CallV2): string {
  if (call.fired_pixels.length === 0) return 'no pixels';
  const by = new Map<string, number>();
  for (const p of call.fired_pixels) by.set(p.fired_pixel.status, (by.get(p.fired_pixel.status) ?? 0) + 1);
  return `pixels ${[...by].map(([status, n]) => `${n} ${status}`).join(', ')}`;
}
