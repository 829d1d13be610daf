/**
 * Prompt audio as 8 kHz 16-bit samples: text spoken by Debian's `espeak-ng`, resampled by `sox`, cached
 * per text and voice (in memory and on disk, so a restart does not synthesise again); hold music made
 * here from a few soft tones so there is nothing to license.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export class PromptCache {
  private readonly memory = new Map<string, Promise<Int16Array>>();

  constructor(private readonly dir: string) {}

  speak(text: string, voice: 'Male' | 'Female'): Promise<Int16Array> {
    const key = createHash('sha1').update(`${voice}\n${text}`).digest('hex');
    let p = this.memory.get(key);
    if (!p) {
      p = this.render(key, text, voice);
      this.memory.set(key, p);
      p.catch(() => this.memory.delete(key));
      if (this.memory.size > 500) this.memory.delete(this.memory.keys().next().value!);
    }
    return p;
  }

  /** An uploaded file (WAV, or what else this `sox` reads), resampled to 8 kHz mono, cached by content. */
  decode(bytes: Buffer, name: string): Promise<Int16Array> {
    const key = createHash('sha1').update(bytes).digest('hex');
    let p = this.memory.get(key);
    if (!p) {
      p = this.convert(key, bytes, name);
      this.memory.set(key, p);
      p.catch(() => this.memory.delete(key));
      if (this.memory.size > 500) this.memory.delete(this.memory.keys().next().value!);
    }
    return p;
  }

  private async convert(key: string, bytes: Buffer, name: string): Promise<Int16Array> {
    const raw = path.join(this.dir, `${key}.s16`);
    try {
      return toSamples(await readFile(raw));
    } catch {
      // not cached on disk yet
    }
    await mkdir(this.dir, { recursive: true });
    // sox picks the format from the extension; anything unknown is tried as WAV.
    const ext = /\.(wav|mp3|ogg|flac|au|aiff?)$/i.exec(name)?.[1]?.toLowerCase() ?? 'wav';
    const src = path.join(this.dir, `${key}.${process.pid}.in.${ext}`);
    const tmp = `${raw}.${process.pid}.tmp`;
    try {
      await writeFile(src, bytes);
      await run('sox', [src, '-r', '8000', '-c', '1', '-b', '16', '-e', 'signed-integer', '-t', 'raw', tmp], {
        timeout: 20_000,
      });
      await rename(tmp, raw);
      return toSamples(await readFile(raw));
    } finally {
      await rm(src, { force: true });
      await rm(tmp, { force: true });
    }
  }

  private async render(key: string, text: string, voice: 'Male' | 'Female'): Promise<Int16Array> {
    const raw = path.join(this.dir, `${key}.s16`);
    try {
      return toSamples(await readFile(raw));
    } catch {
      // not cached on disk yet
    }
    await mkdir(this.dir, { recursive: true });
    const wav = path.join(this.dir, `${key}.${process.pid}.wav`);
    const tmp = `${raw}.${process.pid}.tmp`;
    try {
      const v = voice === 'Female' ? 'en-us+f3' : 'en-us';
      await run('espeak-ng', ['-v', v, '-s', '150', '-w', wav, '--', text], { timeout: 20_000 });
      await run('sox', [wav, '-r', '8000', '-c', '1', '-b', '16', '-e', 'signed-integer', '-t', 'raw', tmp], {
        timeout: 20_000,
      });
      await rename(tmp, raw);
      return toSamples(await readFile(raw));
    } finally {
      await rm(wav, { force: true });
      await rm(tmp, { force: true });
    }
  }
}

function toSamples(buf: Buffer): Int16Array {
  const out = new Int16Array(buf.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = buf.readInt16LE(i * 2);
  return out;
}

/** Eight seconds of a slow four-note arpeggio with soft attack and decay, looped while on hold. */
export function holdMusic(): Int16Array {
  const notes = [261.63, 329.63, 392.0, 523.25];
  const noteLen = 8000;
  const out = new Int16Array(noteLen * notes.length * 2);
  for (let n = 0; n < notes.length * 2; n++) {
    const f = notes[n % notes.length];
    for (let i = 0; i < noteLen; i++) {
      const env = Math.min(1, i / 400) * Math.exp(-i / 4000);
      out[n * noteLen + i] = Math.round(6000 * env * Math.sin((2 * Math.PI * f * i) / 8000));
    }
  }
  return out;
}

/** Silence of the given length (used when a prompt cannot be rendered, so the call still moves on). */
export function silence(seconds: number): Int16Array {
  return new Int16Array(Math.round(seconds * 8000));
}
