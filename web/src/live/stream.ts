import type { Credentials } from '../lib/api';
import { buildUrl } from '../lib/api';
import type { StreamMessage } from './board';

/**
 * Reads GET /live/events as Server-Sent Events through fetch, so the key travels in the Authorization
 * header (EventSource cannot send headers and would need it in the URL). Reconnects after a drop with a
 * growing pause; returns a function that closes the stream.
 */
export function openLiveStream(creds: Credentials, onMessage: (m: StreamMessage) => void): () => void {
  let stopped = false;
  let ctl: AbortController | undefined;
  let retry = 500;

  const run = async () => {
    while (!stopped) {
      ctl = new AbortController();
      try {
        const res = await fetch(buildUrl('/live/events', {}, creds.companyId), {
          headers: { authorization: `Bearer ${creds.key}`, accept: 'text/event-stream' },
          signal: ctl.signal,
        });
        if (!res.ok || !res.body) throw new Error(`stream answered ${res.status}`);
        retry = 500;
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buf = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += value;
          let end = buf.indexOf('\n\n');
          while (end !== -1) {
            const block = buf.slice(0, end);
            buf = buf.slice(end + 2);
            end = buf.indexOf('\n\n');
            let event = 'message';
            let data = '';
            for (const line of block.split('\n')) {
              if (line.startsWith('event: ')) event = line.slice(7);
              else if (line.startsWith('data: ')) data += line.slice(6);
            }
            if (!data) continue;
            onMessage({ event, data: JSON.parse(data), receivedAt: Date.now() } as StreamMessage);
          }
        }
      } catch {
        // dropped, refused or aborted: fall through to the pause below
      }
      if (stopped) return;
      onMessage({ event: 'closed' });
      await new Promise((r) => setTimeout(r, retry));
      retry = Math.min(retry * 2, 10_000);
    }
  };
  void run();
  return () => {
    stopped = true;
    ctl?.abort();
  };
}
