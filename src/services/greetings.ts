import { type FieldErrors, ValidationFailed } from '../domain/errors.js';
import type { Conn } from '../store/db.js';

/**
 * The greeting a caller hears, shared by campaigns and the numbers that override them: either text to
 * speech (message + voice) or an uploaded audio file (stored in `audio_files`), never both.
 */
export const VOICE_GENDERS = ['Male', 'Female'] as const;

/** A file part as the multipart plumbing hands it over. */
export interface FileUpload {
  file_name: string;
  content_type: string;
  b64_data: string;
}

export interface GreetingInput {
  message?: string | null;
  voice_gender?: string;
  message_file?: FileUpload;
  message_file_b64_data?: string;
  message_file_b64_filename?: string;
}

export interface GreetingState {
  message: string | null;
  voice_gender: string;
  audio_id: number | null;
}

interface AudioUpload {
  file_name: string;
  content_type: string;
  data: Buffer;
}

export interface GreetingPlan {
  message: string | null;
  voice_gender: string;
  audio?: AudioUpload;
  /** The current audio file goes (replaced by a new one or by a spoken message). */
  dropAudio: boolean;
}

export type GreetingView =
  | { kind: 'tts'; message: string | null; voice_gender: string }
  | { kind: 'audio'; file_name: string; content_type: string; size: number; updated_at: number };

export function hasGreetingInput(input: GreetingInput): boolean {
  return (
    ['message', 'voice_gender', 'message_file', 'message_file_b64_data', 'message_file_b64_filename'] as const
  ).some((k) => input[k] !== undefined);
}

/** Validates the greeting fields against the current state; throws every problem at once. */
export function planGreeting(input: GreetingInput, base: GreetingState): GreetingPlan {
  const errors: FieldErrors = {};
  const fail = (field: string, msg: string) => {
    errors[field] = [...(errors[field] ?? []), msg];
  };
  let voice = base.voice_gender;
  if (input.voice_gender !== undefined) {
    const match = VOICE_GENDERS.find((g) => g.toLowerCase() === input.voice_gender!.trim().toLowerCase());
    if (match) voice = match;
    else fail('voice_gender', 'must be Male or Female');
  }
  const audio = audioUpload(input, fail);
  if (audio && input.message)
    fail('message', "can't be combined with an audio file: a greeting is one or the other");
  if (Object.keys(errors).length) throw new ValidationFailed(errors);
  if (audio) return { message: null, voice_gender: voice, audio, dropAudio: true };
  if (input.message !== undefined) {
    return { message: input.message?.trim() ? input.message : null, voice_gender: voice, dropAudio: true };
  }
  return { message: base.message, voice_gender: voice, dropAudio: false };
}

/**
 * Standard alphabet with padding (whitespace is stripped before). A loop over the characters rather than
 * a regular expression: the grouped pattern this replaces backtracked through a stack frame per group
 * and overflowed the stack on uploads of a few MiB.
 */
export function isBase64(data: string): boolean {
  if (data.length % 4 !== 0) return false;
  let end = data.length;
  if (data.endsWith('==')) end -= 2;
  else if (data.endsWith('=')) end -= 1;
  for (let i = 0; i < end; i++) {
    const c = data.charCodeAt(i);
    const ok = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47;
    if (!ok) return false;
  }
  return true;
}

function audioUpload(
  input: GreetingInput,
  fail: (field: string, msg: string) => void,
): AudioUpload | undefined {
  const file = input.message_file;
  const b64 = input.message_file_b64_data;
  if (file && b64 !== undefined) {
    fail('message_file_b64_data', "can't be used together with message_file");
    return undefined;
  }
  if (b64 === undefined) {
    if (input.message_file_b64_filename !== undefined && !file)
      fail('message_file_b64_data', "can't be blank");
    if (!file) return undefined;
    if (typeof file !== 'object' || typeof file.b64_data !== 'string') {
      fail('message_file', 'must be a file sent as multipart/form-data');
      return undefined;
    }
  }
  const name = (file ? file.file_name : input.message_file_b64_filename)?.trim();
  const data = (file ? file.b64_data : b64!).replace(/\s+/g, '');
  const field = file ? 'message_file' : 'message_file_b64_data';
  if (!file && !name) fail('message_file_b64_filename', "can't be blank");
  const valid = isBase64(data);
  if (!valid) fail(field, 'is not valid Base64');
  else if (data.length === 0) fail(field, 'is empty');
  if (!name || !valid || data.length === 0) return undefined;
  return {
    file_name: name,
    // A Base64 upload carries no type; like the seed's example we call it what we know it to be.
    content_type: file?.content_type || 'application/octet-stream',
    data: Buffer.from(data, 'base64'),
  };
}

/** Writes the planned greeting: stores a new audio file and removes the one it replaces. */
export async function applyGreeting(
  conn: Conn,
  companyId: number,
  plan: GreetingPlan,
  currentAudioId: number | null,
  now: number,
): Promise<GreetingState> {
  let audioId = currentAudioId;
  if (plan.dropAudio && currentAudioId !== null) {
    await conn.deleteFrom('audio_files').where('id', '=', currentAudioId).execute();
    audioId = null;
  }
  if (plan.audio) {
    const row = await conn
      .insertInto('audio_files')
      .values({
        company_id: companyId,
        file_name: plan.audio.file_name,
        content_type: plan.audio.content_type,
        size: plan.audio.data.length,
        data: plan.audio.data,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    audioId = row.id;
  }
  return { message: plan.message, voice_gender: plan.voice_gender, audio_id: audioId };
}

export async function deleteAudio(conn: Conn, audioId: number | null): Promise<void> {
  if (audioId !== null) await conn.deleteFrom('audio_files').where('id', '=', audioId).execute();
}

export type AudioMeta = Extract<GreetingView, { kind: 'audio' }>;

/** File facts (never the bytes) for the given audio ids. */
export async function loadAudio(conn: Conn, ids: (number | null)[]): Promise<Map<number, AudioMeta>> {
  const wanted = [...new Set(ids.filter((id): id is number => id !== null))];
  const map = new Map<number, AudioMeta>();
  if (!wanted.length) return map;
  const rows = await conn
    .selectFrom('audio_files')
    .select(['id', 'file_name', 'content_type', 'size', 'updated_at'])
    .where('id', 'in', wanted)
    .execute();
  for (const { id, ...r } of rows)
    map.set(id, { kind: 'audio', ...r, size: Number(r.size), updated_at: Number(r.updated_at) });
  return map;
}

export function greetingView(state: GreetingState, audio: Map<number, AudioMeta>): GreetingView {
  const meta = state.audio_id !== null ? audio.get(state.audio_id) : undefined;
  if (meta) return meta;
  return { kind: 'tts', message: state.message, voice_gender: state.voice_gender };
}
