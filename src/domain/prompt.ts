/** What a call hears: spoken text or an audio file. */
export type Prompt =
  | { kind: 'tts'; text: string; voice: 'Male' | 'Female' }
  /** `audioId` is the uploaded file's row (`audio_files`): a real media engine plays its bytes. */
  | { kind: 'audio'; name: string; durationS: number; audioId?: number };

/** How long a prompt plays: an audio file's length, or text spoken at 2.5 words a second. */
export function promptSeconds(
  prompt: { kind: 'tts'; text: string } | { kind: 'audio'; durationS: number },
): number {
  if (prompt.kind === 'audio') return Math.max(1, prompt.durationS);
  const words = prompt.text.trim().split(/\s+/).filter(Boolean).length;
  return Math.max(1, Math.ceil(words / 2.5));
}
