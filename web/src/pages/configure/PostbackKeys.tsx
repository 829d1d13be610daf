import { Select, Text } from '@mantine/core';
import { useState } from 'react';
import { useAll } from '../../lib/hooks';
import { type ResourceDef, ResourcePage } from './ResourcePage';

/** Postback keys belong to a campaign: pick one, then list and create its keys. */
export function PostbackKeys() {
  const campaigns = useAll<any>('/campaigns.json', 'campaign');
  const [id, setId] = useState<string | null>(null);
  const chosen = id ?? (campaigns.data?.[0] ? String(campaigns.data[0].id) : null);
  const picker = (
    <Select
      label="Campaign"
      w={320}
      data={(campaigns.data ?? []).map((c) => ({
        value: String(c.id),
        label: `${c.name ?? c.cid} (${c.cid})`,
      }))}
      value={chosen}
      onChange={setId}
      allowDeselect={false}
    />
  );
  if (!chosen)
    return (
      <>
        {picker}
        <Text c="dimmed" size="sm">
          Postback keys belong to a campaign; create a campaign first.
        </Text>
      </>
    );
  const def: ResourceDef = {
    key: 'postback-keys',
    title: 'Postback keys',
    singular: 'postback key',
    description:
      'Keys publishers use to ping a campaign for a bid (RTB) or to reserve a number for a caller.',
    list: `/campaigns/${chosen}/postback_keys.json`,
    wrap: 'postback_key',
    item: (r) => `/campaigns/${chosen}/postback_keys/${r.id}.json`,
    secret: (c) => c?.key,
    scope: picker,
    columns: [
      {
        label: 'Name',
        render: (r) => (
          <Text fw={600} size="sm">
            {r.name ?? '—'}
          </Text>
        ),
      },
      { label: 'Action', render: (r) => r.action ?? 'rtb' },
      { label: 'Reservation (s)', render: (r) => r.reservation_seconds ?? '—' },
      { label: 'Ping shield', render: (r) => (r.ping_shield ? 'On' : 'Off') },
      { label: 'Paused', render: (r) => (r.paused ? 'Yes' : 'No') },
    ],
    defaults: { action: 'rtb', ping_shield: false, paused: false },
    fields: [
      { name: 'name', label: 'Name', required: true },
      {
        name: 'action',
        label: 'Used for',
        kind: 'select',
        choices: [
          { value: 'rtb', label: 'Real-time bidding pings' },
          { value: 'data_writing', label: 'Data writing' },
        ],
      },
      { name: 'reservation_seconds', label: 'Reservation (s)', kind: 'number' },
      { name: 'inbound_number', label: 'Inbound number' },
      { name: 'ping_shield', label: 'Ping shield', kind: 'switch' },
      { name: 'paused', label: 'Paused', kind: 'switch' },
    ],
    toBody: (v) => {
      const out: Record<string, unknown> = {
        name: v.name,
        action: v.action,
        ping_shield: !!v.ping_shield,
        paused: !!v.paused,
      };
      if (v.reservation_seconds) out.reservation_seconds = v.reservation_seconds;
      if (v.inbound_number) out.inbound_number = v.inbound_number;
      return out;
    },
  };
  return <ResourcePage key={chosen} def={def} />;
}
