import { Text } from '@mantine/core';
import { CampaignScoped } from './CampaignScoped';
import type { ResourceDef } from './ResourcePage';

/** Postback keys: a publisher's key to ping a campaign (RTB) or to reserve a number. */
const postbackKeys = (campaign: any): ResourceDef => ({
  key: 'postback-keys',
  title: 'Postback keys',
  singular: 'postback key',
  description: 'Keys publishers use to ping a campaign for a bid (RTB) or to reserve a number for a caller.',
  list: `/campaigns/${campaign.id}/postback_keys.json`,
  wrap: 'postback_key',
  item: (r) => `/campaigns/${campaign.id}/postback_keys/${r.id}.json`,
  secret: (c) => c?.key,
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
});

/** Where a campaign's events are POSTed, signed and retried (docs/webhooks.md). */
const webhooks = (campaign: any): ResourceDef => ({
  key: 'webhooks',
  title: 'Webhooks',
  singular: 'webhook',
  description:
    'Where the campaign’s call events are POSTed (signed and retried); deliveries show on each call.',
  list: `/campaigns/cid/${encodeURIComponent(campaign.cid)}/webhooks.json`,
  wrap: 'webhook',
  item: (r) => `/campaigns/cid/${encodeURIComponent(campaign.cid)}/webhooks/${r.id}.json`,
  columns: [
    {
      label: 'Name',
      render: (r) => (
        <Text fw={600} size="sm">
          {r.name}
        </Text>
      ),
    },
    {
      label: 'URL',
      render: (r) => (
        <Text size="sm" style={{ wordBreak: 'break-all' }}>
          {r.url}
        </Text>
      ),
    },
    { label: 'Events', render: (r) => (r.events ?? []).join(', ') },
  ],
  defaults: { events: ['call_ended'] },
  fields: [
    { name: 'name', label: 'Name', required: true },
    { name: 'url', label: 'URL', required: true, placeholder: 'https://crm.example/calls' },
    {
      name: 'fallback_url',
      label: 'Fallback URL',
      description: 'Tried once every attempt at the URL has failed',
    },
    {
      name: 'events',
      label: 'Events',
      kind: 'multiselect',
      choices: ['call_started', 'call_connected', 'call_ended'].map((e) => ({ value: e, label: e })),
    },
  ],
  toBody: (v) => ({ name: v.name, url: v.url, fallback_url: v.fallback_url || null, events: v.events }),
});

/** When a call counts as converted, and what it earns and pays. */
const conversionRules = (campaign: any): ResourceDef => ({
  key: 'conversion-rules',
  title: 'Conversion rules',
  singular: 'conversion rule',
  description:
    'A call that talks this long converts: the buyer pays the revenue, the publisher earns the payout.',
  list: `/campaigns/${campaign.id}/conversion_rules.json`,
  wrap: 'conversion_rule',
  item: (r) => `/campaigns/${campaign.id}/conversion_rules/${r.id}.json`,
  sources: ['affiliates', 'targets'],
  columns: [
    { label: 'After (s)', render: (r) => r.seconds },
    { label: 'Revenue', render: (r) => r.revenue ?? 0 },
    { label: 'Payout', render: (r) => r.payout ?? 0 },
    { label: 'Publisher', render: (r) => r.afid ?? 'Any' },
    { label: 'Target', render: (r) => r.target_id ?? 'Any' },
  ],
  defaults: { seconds: 60 },
  fields: [
    { name: 'seconds', label: 'Connected at least (s)', kind: 'number', required: true },
    { name: 'revenue', label: 'Revenue ($)', kind: 'decimal' },
    { name: 'payout', label: 'Payout ($)', kind: 'decimal' },
    { name: 'afid', label: 'Only for publisher', kind: 'select', source: 'affiliates' },
    { name: 'target_id', label: 'Only for target', kind: 'select', source: 'targets' },
  ],
  fromRow: (r) => ({
    ...r,
    target_id: r.target_id === null || r.target_id === undefined ? null : String(r.target_id),
  }),
  toBody: (v) => ({
    seconds: v.seconds,
    revenue: v.revenue ?? 0,
    payout: v.payout ?? 0,
    afid: v.afid || null,
    target_id: v.target_id ? Number(v.target_id) : null,
  }),
});

export const PostbackKeys = () => <CampaignScoped what="Postback keys" def={postbackKeys} />;
export const Webhooks = () => <CampaignScoped what="Webhooks" def={webhooks} />;
export const ConversionRules = () => <CampaignScoped what="Conversion rules" def={conversionRules} />;
