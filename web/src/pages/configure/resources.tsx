import { Badge, Group, Progress, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { BusinessHours, weekOf } from './BusinessHours';
import { toTagList, type Values } from './fields';
import { MenuOptions, type MenuRow } from './MenuOptions';
import type { Column, ResourceDef } from './ResourcePage';
import { type TimerRow, Timers } from './Timers';

const CAPS = ['Hourly', 'Daily', 'Monthly', 'Hard'] as const;
const capKey = (type: string) => `${type.toLowerCase()}_cap`;

/** A column whose cell is the row's name-like value in bold. */
export const strong = (label: string, cell: (r: any) => ReactNode): Column => ({
  label,
  render: (r) => (
    <Text fw={600} size="sm">
      {cell(r)}
    </Text>
  ),
});

/** A column whose cell is an identifier or a key, in a fixed-width font. */
export const mono = (label: string, cell: (r: any) => ReactNode): Column => ({
  label,
  render: (r) => (
    <Text ff="monospace" size="sm">
      {cell(r)}
    </Text>
  ),
});

/** How full each cap is: a bar per cap that has a limit. */
export function CapFullness({ caps }: { caps: { type: string; cap: number | null; filled: number }[] }) {
  const set = (caps ?? []).filter((c) => c.cap !== null && c.cap !== undefined);
  if (set.length === 0)
    return (
      <Text size="sm" c="dimmed">
        No caps
      </Text>
    );
  return (
    <Stack gap={4} miw={140}>
      {set.map((c) => {
        const pct = c.cap ? Math.min(100, (c.filled / c.cap) * 100) : 100;
        return (
          <div key={c.type}>
            <Text size="xs">
              {c.type}: {c.filled} / {c.cap}
            </Text>
            <Progress
              value={pct}
              size="sm"
              color={pct >= 100 ? 'red' : pct >= 80 ? 'orange' : 'teal'}
              aria-label={`${c.type} cap ${c.filled} of ${c.cap}`}
            />
          </div>
        );
      })}
    </Stack>
  );
}

const capFields = CAPS.map((t) => ({
  name: capKey(t),
  label: `${t} cap`,
  kind: 'number' as const,
  description:
    t === 'Hard'
      ? 'Calls in all, ever'
      : `Calls per ${t.toLowerCase().replace('ly', '').replace('dai', 'day')}`,
}));

function capsToBody(values: Values): Values {
  const out: Values = {};
  for (const t of CAPS) {
    const v = values[capKey(t)];
    // Cleared: no limit (the API's null cap).
    out[`${capKey(t)}_attributes`] = { cap: v === undefined || v === '' ? null : v };
  }
  return out;
}

function capsFromRow(row: any): Values {
  const out: Values = {};
  for (const c of row.caps ?? []) out[capKey(c.type)] = c.cap;
  return out;
}

const yesNo = (b: boolean) => (b ? 'Yes' : 'No');

export const targets: ResourceDef = {
  key: 'targets',
  title: 'Targets',
  singular: 'target',
  description:
    'Buyers and agents calls are sent to: a phone number or a sip: URI, with caps, concurrency and hours.',
  list: '/targets.json',
  wrap: 'target',
  item: (r) => `/targets/${r.id}.json`,
  columns: [
    {
      label: 'Name',
      render: (r) => (
        <Stack gap={0}>
          <Text fw={600} size="sm">
            {r.name ?? '—'}
          </Text>
          <Text size="xs" c="dimmed">
            {r.number}
          </Text>
        </Stack>
      ),
    },
    { label: 'Priority / weight', render: (r) => `${r.priority} / ${r.weight}` },
    {
      label: 'Concurrency',
      render: (r) => `${r.calls_in_progress ?? 0} / ${r.concurrency_cap ?? '∞'}`,
    },
    { label: 'Caps', render: (r) => <CapFullness caps={r.caps} /> },
    {
      label: 'Status',
      render: (r) => (r.paused ? <Badge color="orange">Paused</Badge> : <Badge color="teal">Active</Badge>),
    },
  ],
  defaults: { priority: 1, weight: 1, timeout_seconds: 30, paused: false },
  fields: [
    { name: 'name', label: 'Name', required: true },
    {
      name: 'number',
      label: 'Number',
      required: true,
      placeholder: '+14155550100 or sip:101@pbx',
      description: 'E.164 phone number or sip: URI',
    },
    { name: 'tid', label: 'Target id (tid)', description: 'Your own id for it' },
    {
      name: 'tag_list',
      label: 'Tags',
      placeholder: 'state:CA, vertical:solar',
      description: 'key:value pairs, comma-separated',
    },
    { name: 'priority', label: 'Priority', kind: 'number' },
    { name: 'weight', label: 'Weight', kind: 'number' },
    { name: 'timeout_seconds', label: 'Ring timeout (s)', kind: 'number' },
    {
      name: 'concurrency_cap',
      label: 'Concurrency cap',
      kind: 'number',
      description: 'Calls at once; empty for no limit',
    },
    ...capFields,
    { name: 'time_zone', label: 'Time zone', placeholder: 'Eastern Time (US & Canada)' },
    { name: 'paused', label: 'Paused', kind: 'switch', description: 'A paused target gets no calls' },
    {
      name: 'business_hours_attributes',
      label: 'Business hours',
      render: (ctx) => <BusinessHours ctx={ctx} />,
    },
  ],
  fromRow: (r) => ({
    ...r,
    ...capsFromRow(r),
    tag_list: Object.entries(r.tag_values ?? r.tags ?? {})
      .map(([k, v]) => `${k}:${v}`)
      .join(', '),
    business_hours_attributes: weekOf(r.business_hours),
  }),
  toBody: (v) => {
    const body: Values = {
      name: v.name,
      number: v.number,
      tid: v.tid || null,
      priority: v.priority,
      weight: v.weight,
      timeout_seconds: v.timeout_seconds,
      concurrency_cap: v.concurrency_cap ?? null,
      paused: !!v.paused,
      ...capsToBody(v),
    };
    if (v.tag_list !== undefined) body.tag_list = toTagList(v.tag_list);
    if (v.time_zone) body.time_zone = v.time_zone;
    if (v.business_hours_attributes)
      body.business_hours_attributes = v.business_hours_attributes.map((h: any) => ({
        ...(h.id ? { id: h.id } : {}),
        day_of_week: h.day_of_week,
        work_day: h.work_day,
        time_open: h.time_open,
        time_close: h.time_close,
      }));
    return body;
  },
};

export const campaigns: ResourceDef = {
  key: 'campaigns',
  title: 'Campaigns',
  singular: 'campaign',
  description: 'What a caller hears and where the call goes: greeting, menu, targets, timers and recording.',
  list: '/campaigns.json',
  wrap: 'campaign',
  item: (r) => `/campaigns/${r.id}.json`,
  sources: ['targets'],
  columns: [
    {
      label: 'Campaign',
      render: (r) => (
        <Stack gap={0}>
          <Text fw={600} size="sm">
            {r.name ?? r.cid}
          </Text>
          <Text size="xs" c="dimmed">
            cid {r.cid}
          </Text>
        </Stack>
      ),
    },
    {
      label: 'Greeting',
      render: (r) => (
        <Text size="sm" lineClamp={2}>
          {r.greeting?.message ?? '—'}
        </Text>
      ),
    },
    {
      label: 'Menu',
      render: (r) =>
        (r.menu_options ?? []).length ? (
          <Group gap={4}>
            {r.menu_options.map((m: any) => (
              <Badge key={m.menu_option.id} variant="light">
                {m.menu_option.option}
              </Badge>
            ))}
          </Group>
        ) : (
          '—'
        ),
    },
    { label: 'Records', render: (r) => yesNo(r.record_calls) },
  ],
  defaults: {
    record_calls: false,
    repeat: 1,
    dedupe_seconds: 0,
    menu_options: [],
    timers: [],
    target_ids: [],
  },
  fields: [
    { name: 'name', label: 'Name', required: true },
    { name: 'cid', label: 'Campaign id (cid)', description: 'Left empty, one is made for you' },
    {
      name: 'message',
      label: 'Greeting',
      kind: 'textarea',
      wide: true,
      description: 'Spoken to the caller (text to speech)',
    },
    {
      name: 'voice_gender',
      label: 'Voice',
      kind: 'select',
      choices: [
        { value: 'Male', label: 'Male' },
        { value: 'Female', label: 'Female' },
      ],
    },
    { name: 'repeat', label: 'Repeat the greeting', kind: 'number' },
    { name: 'dedupe_seconds', label: 'Duplicate window (s)', kind: 'number' },
    { name: 'record_calls', label: 'Record calls', kind: 'switch' },
    {
      name: 'target_ids',
      label: 'Targets (calls without a menu)',
      kind: 'multiselect',
      source: 'targets',
      wide: true,
    },
    {
      name: 'menu_options',
      errorKey: 'menu_options_attributes',
      label: 'Menu options',
      render: (ctx) => <MenuOptions ctx={ctx} />,
    },
    { name: 'timers', errorKey: 'timers_attributes', label: 'Pixels', render: (ctx) => <Timers ctx={ctx} /> },
  ],
  fromRow: (r) => ({
    ...r,
    message: r.greeting?.message ?? '',
    voice_gender: r.greeting?.voice_gender ?? 'Male',
    target_ids: (r.target_ids ?? []).map(String),
    timers: (r.timers ?? []).map(
      (t: any): TimerRow => ({ id: t.timer.id, seconds: t.timer.seconds, url: t.timer.url }),
    ),
    menu_options: (r.menu_options ?? []).map(
      (m: any): MenuRow => ({
        id: m.menu_option.id,
        option: m.menu_option.option,
        target_ids: (m.menu_option.target_ids ?? []).map(String),
        target_number: m.menu_option.target_number ?? '',
      }),
    ),
  }),
  toBody: (v) => ({
    name: v.name,
    ...(v.cid ? { cid: v.cid } : {}),
    message: v.message || null,
    voice_gender: v.voice_gender ?? 'Male',
    repeat: v.repeat,
    dedupe_seconds: v.dedupe_seconds,
    record_calls: !!v.record_calls,
    target_ids: (v.target_ids ?? []).map(Number),
    destroy_nested: true,
    timers_attributes: (v.timers ?? []).map((t: TimerRow) => ({
      ...(t.id ? { id: t.id } : {}),
      seconds: t.seconds === '' ? 0 : Number(t.seconds),
      url: t.url,
    })),
    menu_options_attributes: (v.menu_options ?? []).map((m: MenuRow) => ({
      ...(m.id ? { id: m.id } : {}),
      option: m.option,
      target_ids: m.target_ids.map(Number),
      ...(m.target_number ? { target_number: m.target_number } : {}),
    })),
  }),
};

export const numbers: ResourceDef = {
  key: 'numbers',
  title: 'Numbers',
  singular: 'number',
  description: 'Tracking numbers callers dial. Each belongs to a campaign and a publisher.',
  list: '/numbers.json',
  wrap: 'number',
  item: (r) => `/numbers/${r.id}.json`,
  sources: ['campaigns', 'affiliates'],
  columns: [
    strong('Number', (r) => r.number),
    { label: 'Campaign', render: (r) => r.cid },
    { label: 'Publisher', render: (r) => r.afid },
    { label: 'Sub id', render: (r) => r.sid ?? '—' },
    { label: 'Type', render: (r) => (r.toll_free ? 'Toll-free' : 'Local') },
  ],
  defaults: { type: 'Toll-free' },
  fields: [
    { name: 'cid', label: 'Campaign', kind: 'select', source: 'campaigns', required: true },
    { name: 'afid', label: 'Publisher', kind: 'select', source: 'affiliates', required: true },
    { name: 'sid', label: 'Sub id' },
    {
      name: 'type',
      label: 'Type',
      kind: 'select',
      createOnly: true,
      choices: [
        { value: 'Toll-free', label: 'Toll-free' },
        { value: 'Local', label: 'Local' },
      ],
    },
  ],
  toBody: (v, row) => ({ cid: v.cid, afid: v.afid, sid: v.sid || null, ...(row ? {} : { type: v.type }) }),
};

export const publishers: ResourceDef = {
  key: 'publishers',
  title: 'Publishers',
  singular: 'publisher',
  description: 'Publishers (affiliates) send the calls; each has an afid their numbers carry.',
  list: '/affiliates.json',
  wrap: 'affiliate',
  item: (r) => `/affiliates/${r.id}.json`,
  columns: [
    strong('afid', (r) => r.afid),
    { label: 'Name', render: (r) => [r.first_name, r.last_name].filter(Boolean).join(' ') || '—' },
    { label: 'Company', render: (r) => r.company_name ?? '—' },
  ],
  fields: [
    { name: 'afid', label: 'Publisher id (afid)', required: true },
    { name: 'company_name', label: 'Company' },
    { name: 'first_name', label: 'First name' },
    { name: 'last_name', label: 'Last name' },
  ],
  toBody: (v) => ({
    afid: v.afid,
    company_name: v.company_name,
    first_name: v.first_name,
    last_name: v.last_name,
  }),
};

export const targetGroups: ResourceDef = {
  key: 'target-groups',
  title: 'Target groups',
  singular: 'target group',
  description: 'Targets dialled together (simultaneously) or one after another, with shared caps.',
  list: '/target_groups.json',
  wrap: 'target_group',
  item: (r) => `/target_groups/${r.id}.json`,
  sources: ['targets'],
  columns: [
    strong('Name', (r) => r.name ?? `Group ${r.id}`),
    { label: 'Behaviour', render: (r) => (r.behavior === 2 ? 'Simultaneous' : 'One by one') },
    { label: 'Targets', render: (r) => (r.target_ids ?? []).length },
    { label: 'Caps', render: (r) => <CapFullness caps={r.caps} /> },
  ],
  defaults: { behavior: '1', priority: 1, weight: 1, target_ids: [] },
  fields: [
    { name: 'name', label: 'Name', required: true },
    {
      name: 'behavior',
      label: 'Behaviour',
      kind: 'select',
      choices: [
        { value: '1', label: 'Dial one by one' },
        { value: '2', label: 'Dial all at once' },
      ],
    },
    { name: 'priority', label: 'Priority', kind: 'number' },
    { name: 'weight', label: 'Weight', kind: 'number' },
    { name: 'concurrency_cap', label: 'Concurrency cap', kind: 'number' },
    ...capFields,
    { name: 'target_ids', label: 'Targets', kind: 'multiselect', source: 'targets', wide: true },
  ],
  fromRow: (r) => ({
    ...r,
    ...capsFromRow(r),
    behavior: String(r.behavior ?? 1),
    target_ids: (r.target_ids ?? []).map(String),
  }),
  toBody: (v) => ({
    name: v.name,
    behavior: Number(v.behavior ?? 1),
    priority: v.priority,
    weight: v.weight,
    concurrency_cap: v.concurrency_cap ?? null,
    target_ids: (v.target_ids ?? []).map(Number),
    ...capsToBody(v),
  }),
};

export const numberPools: ResourceDef = {
  key: 'number-pools',
  title: 'Number pools',
  singular: 'number pool',
  description: 'Numbers handed out to visitors or reservations, kept at a reserve size.',
  list: '/number_pools.json',
  wrap: 'number_pool',
  item: (r) => `/number_pools/${r.id}.json`,
  sources: ['campaigns', 'affiliates'],
  columns: [
    { label: 'Campaign', render: (r) => r.cid },
    { label: 'Publisher', render: (r) => r.afid },
    { label: 'Numbers', render: (r) => r.numbers_count ?? '—' },
    { label: 'Max size', render: (r) => r.max_pool_size ?? '—' },
    { label: 'Buffer (s)', render: (r) => r.buffer_seconds ?? '—' },
  ],
  defaults: { type: 'Toll-free' },
  fields: [
    { name: 'cid', label: 'Campaign', kind: 'select', source: 'campaigns', required: true },
    { name: 'afid', label: 'Publisher', kind: 'select', source: 'affiliates', required: true },
    { name: 'max_pool_size', label: 'Max pool size', kind: 'number' },
    { name: 'reserve_size', label: 'Reserve size', kind: 'number' },
    { name: 'buffer_seconds', label: 'Buffer (s)', kind: 'number' },
  ],
  toBody: (v) => ({
    cid: v.cid,
    afid: v.afid,
    max_pool_size: v.max_pool_size ?? undefined,
    reserve_size: v.reserve_size ?? undefined,
    buffer_seconds: v.buffer_seconds ?? undefined,
  }),
};

export const suppressed: ResourceDef = {
  key: 'suppressed-numbers',
  title: 'Suppressed numbers',
  singular: 'suppressed number',
  description: 'Callers who are blocked: their calls are not routed.',
  list: '/suppressed_numbers.json',
  wrap: 'suppressed_number',
  item: (r) => `/suppressed_numbers/${encodeURIComponent(r.number)}.json`,
  createPath: (v) => `/suppressed_numbers/${encodeURIComponent(String(v.number ?? '').trim() || '-')}.json`,
  editable: false,
  columns: [
    strong('Number', (r) => r.number),
    { label: 'Campaign', render: (r) => r.cid ?? 'All' },
    { label: 'Since', render: (r) => new Date(r.created_at).toLocaleString() },
  ],
  fields: [{ name: 'number', label: 'Caller number', required: true, placeholder: '+13015550100' }],
  toBody: () => ({}),
};

export const callControlKeys: ResourceDef = {
  key: 'call-control-keys',
  title: 'Call-control keys',
  singular: 'call-control key',
  description:
    'Keys for the Call Control API, each limited to one target or target group and to chosen actions.',
  list: '/call_control_keys.json',
  wrap: 'call_control_key',
  item: (r) => `/call_control_keys/${r.id}.json`,
  editable: false,
  sources: ['targets', 'target_groups'],
  secret: (c) => c?.key,
  columns: [
    strong('Name', (r) => r.name ?? '—'),
    mono('Key', (r) => <>{r.key_prefix}…</>),
    { label: 'Scope', render: (r) => (r.target_id ? `Target ${r.target_id}` : `Group ${r.target_group_id}`) },
    { label: 'Actions', render: (r) => (r.actions ?? []).join(', ') },
  ],
  defaults: {
    actions: ['active_calls', 'transfer', 'conference_caller', 'stop_transfer', 'return', 'accept'],
  },
  fields: [
    { name: 'name', label: 'Name', required: true },
    { name: 'target_id', label: 'Target', kind: 'select', source: 'targets' },
    { name: 'target_group_id', label: 'or target group', kind: 'select', source: 'target_groups' },
    { name: 'return_timeout_seconds', label: 'Live call return timeout (s)', kind: 'number' },
    {
      name: 'actions',
      label: 'Allowed actions',
      kind: 'multiselect',
      wide: true,
      choices: ['active_calls', 'transfer', 'conference_caller', 'stop_transfer', 'return', 'accept'].map(
        (a) => ({ value: a, label: a }),
      ),
    },
  ],
  toBody: (v) => ({
    name: v.name,
    ...(v.target_id ? { target_id: Number(v.target_id) } : {}),
    ...(v.target_group_id ? { target_group_id: Number(v.target_group_id) } : {}),
    ...(v.return_timeout_seconds ? { return_timeout_seconds: v.return_timeout_seconds } : {}),
    actions: v.actions,
  }),
};

export const users: ResourceDef = {
  key: 'users',
  title: 'Users',
  singular: 'user',
  description: 'People with a phone: their extension, device number and agent availability.',
  list: '/users.json',
  wrap: 'user',
  item: (r) => `/users/${r.id}.json`,
  columns: [
    {
      label: 'Name',
      render: (r) => (
        <Stack gap={0}>
          <Text fw={600} size="sm">
            {[r.first_name, r.last_name].filter(Boolean).join(' ') || r.email}
          </Text>
          <Text size="xs" c="dimmed">
            {r.email}
          </Text>
        </Stack>
      ),
    },
    { label: 'Extension', render: (r) => r.extension_number ?? '—' },
    { label: 'Phone', render: (r) => r.phone_number ?? '—' },
    {
      label: 'Agent',
      render: (r) => (
        <Badge color={r.status === 'available' ? 'teal' : 'gray'}>{r.status ?? 'unavailable'}</Badge>
      ),
    },
  ],
  defaults: { status: 'available', can_make_calls: true },
  fields: [
    { name: 'email', label: 'Email', required: true },
    { name: 'first_name', label: 'First name' },
    { name: 'last_name', label: 'Last name' },
    { name: 'extension_number', label: 'Extension' },
    { name: 'phone_number', label: 'Phone number or sip: URI' },
    { name: 'agent_number', label: 'Agent number' },
    { name: 'password', label: 'Password', kind: 'password', createOnly: true },
    {
      name: 'status',
      label: 'Agent state',
      kind: 'select',
      choices: [
        { value: 'available', label: 'Available' },
        { value: 'unavailable', label: 'Unavailable' },
      ],
    },
    { name: 'can_make_calls', label: 'May place calls', kind: 'switch' },
  ],
  toBody: (v, row) => {
    const out: Values = {};
    for (const k of [
      'email',
      'first_name',
      'last_name',
      'extension_number',
      'phone_number',
      'agent_number',
      'status',
      'can_make_calls',
    ])
      if (v[k] !== undefined && v[k] !== '') out[k] = v[k];
    if (!row && v.password) out.password = v.password;
    return out;
  },
};

export const apiKeys: ResourceDef = {
  key: 'api-keys',
  title: 'API keys',
  singular: 'API key',
  description: 'Named Core API keys: admin keys change things, read-only keys only read.',
  list: '/api_keys.json',
  wrap: 'api_key',
  item: (r) => `/api_keys/${r.id}.json`,
  editable: false,
  secret: (c) => c?.key,
  columns: [
    strong('Name', (r) => r.name),
    mono('Key', (r) => <>{r.key_prefix}…</>),
    { label: 'Role', render: (r) => <Badge variant="light">{r.role}</Badge> },
    {
      label: 'Last used',
      render: (r) => (r.last_used_at ? new Date(r.last_used_at).toLocaleString() : 'Never'),
    },
  ],
  defaults: { role: 'admin' },
  fields: [
    { name: 'name', label: 'Name', required: true },
    {
      name: 'role',
      label: 'Role',
      kind: 'select',
      required: true,
      choices: [
        { value: 'admin', label: 'Admin' },
        { value: 'read_only', label: 'Read only' },
      ],
    },
  ],
};

export const tags: ResourceDef = {
  key: 'tags',
  title: 'Tags',
  singular: 'tag',
  description: 'Tag keys reports can group calls by (Reports → Tag); a new key counts calls from now on.',
  list: '/tags.json',
  wrap: 'tag',
  item: (r) => `/tags/${r.id}.json`,
  editable: false,
  columns: [
    strong('Key', (r) => r.key),
    {
      label: 'Indexed from',
      render: (r) => (r.indexed_from ? new Date(r.indexed_from).toLocaleString() : '—'),
    },
  ],
  fields: [{ name: 'key', label: 'Tag key', required: true, placeholder: 'state' }],
};

export const oauthApps: ResourceDef = {
  key: 'ringcentral-apps',
  title: 'RingCentral apps',
  singular: 'RingCentral app',
  description: 'OAuth client credentials for programs using the RingCentral face (/restapi).',
  list: '/oauth_apps.json',
  wrap: 'oauth_app',
  item: (r) => `/oauth_apps/${r.id}.json`,
  editable: false,
  secret: (c) => (c?.client_secret ? `client id ${c.client_id} · secret ${c.client_secret}` : undefined),
  columns: [
    strong('Name', (r) => r.name),
    mono('Client id', (r) => r.client_id),
    { label: 'Created', render: (r) => new Date(r.created_at).toLocaleString() },
  ],
  fields: [{ name: 'name', label: 'Name', required: true }],
};

export const ccaiKeys: ResourceDef = {
  key: 'ccai-keys',
  title: 'CCAI keys',
  singular: 'CCAI key',
  description:
    'HTTP Basic credentials for programs using the CCAI Platform face (/apps/api/v1, /manager/api/v1). The secret is shown once.',
  list: '/ccai_keys.json',
  wrap: 'ccai_key',
  item: (r) => `/ccai_keys/${r.id}.json`,
  editable: false,
  secret: (c) => (c?.secret ? `key ${c.key} · secret ${c.secret}` : undefined),
  columns: [
    mono('Key', (r) => r.key),
    { label: 'Created', render: (r) => new Date(r.created_at).toLocaleString() },
    {
      label: 'State',
      render: (r) =>
        r.revoked_at ? (
          <Badge color="gray" variant="light">
            revoked
          </Badge>
        ) : (
          <Badge variant="light">active</Badge>
        ),
    },
  ],
  fields: [],
};
