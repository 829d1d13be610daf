import { Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import { buildUrl } from '../lib/api';
import { useCreds } from '../lib/session';

/**
 * A call's recording. Ours (`/calls/<uuid>/recording.wav`) needs the key, which an `<audio src>` cannot
 * send without putting it in the URL: the file is fetched with the key in a header and played from
 * memory. A recording elsewhere (an absolute URL) plays from there.
 */
export function RecordingPlayer({ url }: { url: string }) {
  const creds = useCreds();
  const ours = url.startsWith('/');
  const [src, setSrc] = useState<string | null>(ours ? null : url);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!ours) return;
    let objectUrl: string | null = null;
    let cancelled = false;
    fetch(buildUrl(url, {}, creds.companyId), { headers: { authorization: `Bearer ${creds.key}` } })
      .then(async (res) => {
        if (!res.ok) throw new Error(res.status === 404 ? 'The recording file is gone.' : `${res.status}`);
        const blob = await res.blob();
        if (cancelled) return;
        objectUrl = URL.createObjectURL(blob);
        setSrc(objectUrl);
      })
      .catch((err: Error) => !cancelled && setError(`The recording cannot be loaded: ${err.message}`));
    return () => {
      cancelled = true;
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [url, ours, creds]);
  if (error)
    return (
      <Text size="sm" c="red" role="alert">
        {error}
      </Text>
    );
  if (!src)
    return (
      <Text size="sm" c="dimmed" role="status">
        Loading the recording…
      </Text>
    );
  return (
    // biome-ignore lint/a11y/useMediaCaption: call recordings have no captions
    <audio controls src={src} style={{ width: '100%' }} aria-label="Call recording" preload="metadata" />
  );
}
