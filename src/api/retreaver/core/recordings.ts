import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { NotFound } from '../../../domain/errors.js';
import type { Services } from '../../../services/index.js';
import { UuidParams } from './calls.js';
import type { CoreApp } from './plugin.js';

/**
 * A call's recording (the sip driver writes it; `recording_url` points here), served to a Core API key
 * of the call's company as `audio/wav`.
 */
export async function recordingRoutes(
  app: CoreApp,
  { calls }: Pick<Services, 'calls'>,
  fileOf: (callUuid: string) => string | undefined,
) {
  app.get(
    '/calls/:uuid/recording.wav',
    { schema: { tags: ['Calls'], summary: "Get a Call's recording (WAV)", params: UuidParams } },
    async (req, reply) => {
      const call = await calls.get(req.core.companyId, req.params.uuid);
      const file = call.recording_url ? fileOf(call.uuid) : undefined;
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
