import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Type } from 'typebox';
import { NotFound } from '../../../domain/errors.js';
import type { Services } from '../../../services/index.js';
import { UuidParams } from './calls.js';
import type { CoreApp } from './plugin.js';

/** Where a call's recording comes from: a file the SIP driver wrote, or bytes the sim makes. */
export type RecordingSource =
  | { file: (callUuid: string) => string | undefined }
  | { bytes: (callUuid: string) => Buffer | undefined };

/** The file's bytes: sent as they are (a Buffer or a stream), never through a JSON serializer. */
const WavBody = Type.Unsafe<Buffer | NodeJS.ReadableStream>({ type: 'string', format: 'binary' });

/**
 * A call's recording (`recording_url` points here), served to a Core API key of the call's company as
 * `audio/wav`.
 */
export async function recordingRoutes(
  app: CoreApp,
  { calls }: Pick<Services, 'calls'>,
  source: RecordingSource,
) {
  app.get(
    '/calls/:uuid/recording.wav',
    {
      schema: {
        tags: ['Calls'],
        summary: "Get a Call's recording (WAV)",
        params: UuidParams,
        response: {
          200: {
            description: 'The recording as a WAV file',
            content: { 'audio/wav': { schema: WavBody } },
          },
        },
      },
    },
    async (req, reply) => {
      const call = await calls.get(req.core.companyId, req.params.uuid);
      if (!call.recording_url) throw new NotFound('recording');
      if ('bytes' in source) {
        const bytes = source.bytes(call.uuid);
        if (!bytes) throw new NotFound('recording');
        return reply.type('audio/wav').send(bytes);
      }
      const file = source.file(call.uuid);
      const size = file
        ? await stat(file).then(
            (s) => s.size,
            () => undefined,
          )
        : undefined;
      if (!file || size === undefined) throw new NotFound('recording');
      return reply.type('audio/wav').header('content-length', size).send(createReadStream(file));
    },
  );
}
