/**
 * RingCentral event filters this face can serve, resolved against the subscriber (`~` = their account or
 * extension). Pure: the subscription service validates with it and the notifier matches with it.
 */
export type EventFilter =
  | { kind: 'sessions'; accountId: number; extensionId: number | null }
  | { kind: 'presence'; accountId: number; extensionId: number | null; detailed: boolean; sipData: boolean };

const PATTERN =
  /^(?:\/restapi\/v1\.0)?\/account\/(~|\d{1,10})(?:\/extension\/(~|\d{1,10}))?\/(telephony\/sessions|presence)(?:\?(.*))?$/;

export function parseEventFilter(
  filter: string,
  owner: { accountId: number; extensionId: number },
): EventFilter | undefined {
  const m = PATTERN.exec(filter.trim());
  if (!m) return undefined;
  const [, account, extension, what, query] = m;
  const accountId = account === '~' ? owner.accountId : Number(account);
  const extensionId =
    extension === undefined ? null : extension === '~' ? owner.extensionId : Number(extension);
  if (what === 'telephony/sessions') return query ? undefined : { kind: 'sessions', accountId, extensionId };
  const params = new URLSearchParams(query ?? '');
  return {
    kind: 'presence',
    accountId,
    extensionId,
    detailed: params.get('detailedTelephonyState') === 'true',
    sipData: params.get('sipData') === 'true',
  };
}

/** The event path a notification names: the filter with the real ids in place of `~`. */
export function eventPath(f: EventFilter): string {
  const ext = f.extensionId === null ? '' : `/extension/${f.extensionId}`;
  if (f.kind === 'sessions') return `/restapi/v1.0/account/${f.accountId}${ext}/telephony/sessions`;
  const q = [f.detailed ? 'detailedTelephonyState=true' : '', f.sipData ? 'sipData=true' : '']
    .filter(Boolean)
    .join('&');
  return `/restapi/v1.0/account/${f.accountId}${ext}/presence${q ? `?${q}` : ''}`;
}
