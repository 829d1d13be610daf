import type { SimLeg } from '../../telephony/sim/network.js';

/** What the caller hears right now, in words a test or a person can read. */
export function hearing(inbound: SimLeg, legs: SimLeg[]) {
  if (inbound.state === 'ended') return { kind: 'ended' as const };
  if (inbound.holdMusic) return { kind: 'hold' as const, music: inbound.holdMusic };
  if (inbound.playing) {
    const p = inbound.playing;
    return p.kind === 'tts'
      ? { kind: 'prompt' as const, text: p.text, voice: p.voice }
      : { kind: 'audio' as const, name: p.name };
  }
  if (inbound.bridgedWith) {
    const peer = legs.find((l) => l.id === inbound.bridgedWith);
    return { kind: 'connected' as const, party: peer?.to ?? null };
  }
  if (inbound.conference) {
    const parties = legs.filter(
      (l) => l.conference === inbound.conference && l.id !== inbound.id && l.state !== 'ended',
    );
    return { kind: 'conference' as const, parties: parties.map((l) => l.to) };
  }
  if (legs.some((l) => l.direction === 'outbound' && l.state === 'ringing'))
    return { kind: 'ringing' as const };
  return { kind: 'silence' as const };
}

export function presentLeg(l: SimLeg) {
  return {
    id: l.id,
    direction: l.direction,
    from: l.from,
    to: l.to,
    state: l.state,
    voicemail: l.voicemail,
    bridged_with: l.bridgedWith,
    on_hold: l.holdMusic !== null,
    muted: l.muted,
    playing: l.playing ? (l.playing.kind === 'tts' ? l.playing.text : l.playing.name) : null,
    digits_received: l.digitsReceived,
    started_at: new Date(l.startedAt).toISOString(),
    answered_at: l.answeredAt === null ? null : new Date(l.answeredAt).toISOString(),
    ended_at: l.endedAt === null ? null : new Date(l.endedAt).toISOString(),
    end_reason: l.endReason,
  };
}
