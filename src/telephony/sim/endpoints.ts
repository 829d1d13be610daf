import { ValidationFailed } from '../../domain/errors.js';

/**
 * How a virtual endpoint of the simulated network behaves. Any number or `sip:` URI is an endpoint;
 * unknown ones answer after 2 s and stay on the line.
 */
export interface EndpointBehaviour {
  answerAfterS: number;
  hangupAfterS: number | null;
  busy: boolean;
  noAnswer: boolean;
  reject: boolean;
  unreachable: boolean;
  voicemail: boolean;
  /** Pressed after answer, one digit per second (`w` waits half a second). */
  digits: string | null;
}

export const DEFAULT_BEHAVIOUR: EndpointBehaviour = {
  answerAfterS: 2,
  hangupAfterS: null,
  busy: false,
  noAnswer: false,
  reject: false,
  unreachable: false,
  voicemail: false,
  digits: null,
};

export interface EndpointInput {
  answer_after_s?: number;
  hangup_after_s?: number | null;
  busy?: boolean;
  no_answer?: boolean;
  reject?: boolean;
  unreachable?: boolean;
  voicemail?: boolean;
  digits?: string | null;
}

export function toBehaviour(input: EndpointInput): EndpointBehaviour {
  if (input.digits && !/^[0-9*#wW]*$/.test(input.digits))
    throw ValidationFailed.field('digits', 'may hold only 0-9 * # w');
  return {
    answerAfterS: input.answer_after_s ?? DEFAULT_BEHAVIOUR.answerAfterS,
    hangupAfterS: input.hangup_after_s ?? null,
    busy: input.busy ?? false,
    noAnswer: input.no_answer ?? false,
    reject: input.reject ?? false,
    unreachable: input.unreachable ?? false,
    voicemail: input.voicemail ?? false,
    digits: input.digits ?? null,
  };
}

/**
 * Behaviours by address, each owned by a company (the scope) or by nobody (set in code, by tests and
 * benchmarks). A call sees its own company's behaviours, then the unowned ones: one tenant's sim settings
 * never change how another tenant's numbers behave (docs/compat.md "Simulated network").
 */
export class EndpointRegistry {
  private readonly byAddress = new Map<string, EndpointBehaviour>();

  set(address: string, behaviour: EndpointBehaviour, scope?: number): void {
    this.byAddress.set(key(address, scope), behaviour);
  }

  get(address: string, scope?: number): EndpointBehaviour {
    return (
      (scope === undefined ? undefined : this.byAddress.get(key(address, scope))) ??
      this.byAddress.get(key(address)) ??
      DEFAULT_BEHAVIOUR
    );
  }

  clear(): void {
    this.byAddress.clear();
  }
}

const key = (address: string, scope?: number) => `${scope ?? ''} ${address}`;

/** How long a prompt plays in the sim: TTS at 2.5 words a second (at least 1 s), audio as long as it is. */
export function promptSeconds(
  prompt: { kind: 'tts'; text: string } | { kind: 'audio'; durationS: number },
): number {
  if (prompt.kind === 'audio') return Math.max(1, prompt.durationS);
  const words = prompt.text.trim().split(/\s+/).filter(Boolean).length;
  return Math.max(1, Math.ceil(words / 2.5));
}
