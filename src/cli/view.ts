/** The sim API's `GET /sim/calls/:id` answer, as far as the CLI reads it. */
export interface CallView {
  id: string;
  call_uuid: string | null;
  state: 'ringing' | 'answered' | 'ended';
  hearing:
    | { kind: 'prompt'; text: string; voice?: string }
    | { kind: 'audio'; name: string }
    | { kind: 'ringing' | 'silence' | 'ended' }
    | { kind: 'connected'; party: string | null }
    | { kind: 'hold'; music: string }
    | { kind: 'conference'; parties: string[] };
  legs: { direction: string; to: string; state: string; end_reason: string | null }[];
}

/** One line of words for what the caller experiences; a new line is printed whenever this changes. */
export function describe(view: CallView): string {
  const h = view.hearing;
  switch (h.kind) {
    case 'prompt':
      return `prompt: ${JSON.stringify(h.text)}`;
    case 'audio':
      return `audio: ${h.name}`;
    case 'connected':
      return `connected to ${h.party ?? 'an unknown party'}`;
    case 'hold':
      return `on hold (${h.music})`;
    case 'conference':
      return `in conference with ${h.parties.join(', ') || 'nobody yet'}`;
    case 'ended': {
      const reason = view.legs[0]?.end_reason;
      return reason ? `call ended (${reason})` : 'call ended';
    }
    case 'silence':
      // Silence before the platform answers is a different experience from dead air after it.
      return view.state === 'ringing' ? 'waiting for an answer' : 'silence';
    default:
      return h.kind;
  }
}
