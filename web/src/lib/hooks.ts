import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { list, listAll, request } from './api';
import { useCreds } from './session';

/** A Core API list page, keyed by company so the switcher never shows another company's rows. */
export function useList<T>(
  path: string,
  wrap: string,
  query: Record<string, string | number | undefined> = {},
) {
  const creds = useCreds();
  return useQuery({
    queryKey: [creds.companyId, path, query],
    queryFn: () => list<T>(creds, path, wrap, query),
  });
}

/** Every row of a small list (targets, campaigns …) for pickers. */
export function useAll<T>(path: string, wrap: string) {
  const creds = useCreds();
  return useQuery({ queryKey: [creds.companyId, path, 'all'], queryFn: () => listAll<T>(creds, path, wrap) });
}

export function useGet<T>(path: string, enabled = true) {
  const creds = useCreds();
  return useQuery({
    queryKey: [creds.companyId, path],
    queryFn: async () => (await request<T>(creds, 'GET', path)).body,
    enabled,
  });
}

/** A write; on success every list of that resource is read again. */
export function useWrite(invalidate: string[]) {
  const creds = useCreds();
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (v: { method: string; path: string; body?: unknown }) =>
      (await request<any>(creds, v.method, v.path, { body: v.body })).body,
    onSuccess: () =>
      Promise.all(
        invalidate.map((p) =>
          client.invalidateQueries({
            predicate: (q) => typeof q.queryKey[1] === 'string' && q.queryKey[1].startsWith(p),
          }),
        ),
      ),
  });
}
