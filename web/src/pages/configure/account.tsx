import { Alert, Autocomplete, Badge, Group, Paper, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { ErrorState, Loading } from '../../components/Page';
import { useGet } from '../../lib/hooks';
import { errorsFor, toTagList, type Values } from './fields';
import { type ResourceDef, ResourceForm } from './ResourcePage';
import { RowsEditor } from './RowsEditor';
import { mono, strong } from './resources';

interface NumberRow {
  id?: number;
  number: string;
  description: string;
}

/** A contact's numbers as rows; those removed from the form are destroyed by id (Rails' `_destroy`). */
function numbersToBody(v: Values, row: any | null) {
  const kept: NumberRow[] = v.contact_numbers ?? [];
  const ids = new Set(kept.map((n) => n.id).filter(Boolean));
  const removed = (row?.contact_numbers ?? []).filter((n: any) => !ids.has(n.id));
  return [
    ...kept.map((n) => ({
      ...(n.id ? { id: n.id } : {}),
      number: n.number,
      description: n.description || null,
    })),
    ...removed.map((n: any) => ({ id: n.id, _destroy: true })),
  ];
}

export const contacts: ResourceDef = {
  key: 'contacts',
  title: 'Contacts',
  singular: 'contact',
  description:
    'People who call you, by their numbers: the tags set on a contact are set on every call from those numbers.',
  list: '/contacts.json',
  wrap: 'contact',
  item: (r) => `/contacts/${r.id}.json`,
  columns: [
    mono('Id', (r) => r.id),
    {
      label: 'Numbers',
      render: (r) => (
        <Stack gap={0}>
          {(r.contact_numbers ?? []).map((n: any) => (
            <Text key={n.id} size="sm">
              {n.number}
              {n.description ? <Text span c="dimmed" size="xs">{` · ${n.description}`}</Text> : null}
            </Text>
          ))}
        </Stack>
      ),
    },
    {
      label: 'Tags',
      render: (r) => (
        <Group gap={4}>
          {(r.tag_values ?? []).map((t: any) => (
            <Badge key={t.id} variant="light">
              {t.key}:{t.value}
            </Badge>
          ))}
        </Group>
      ),
    },
  ],
  defaults: { contact_numbers: [{ number: '', description: '' }] },
  fields: [
    {
      name: 'contact_numbers',
      errorKey: 'contact_numbers_attributes',
      label: 'Numbers',
      render: (ctx) => (
        <RowsEditor<NumberRow>
          ctx={ctx}
          name="contact_numbers"
          errorKey="contact_numbers_attributes"
          label="Numbers"
          description="At least one; each number belongs to one contact."
          addLabel="Add a number"
          removeLabel={(r, i) => `Remove number ${r.number || i + 1}`}
          blank={() => ({ number: '', description: '' })}
        >
          {(r, update) => (
            <>
              <TextInput
                label="Number"
                w={180}
                value={r.number}
                placeholder="+13015550100"
                onChange={(e) => update({ number: e.currentTarget.value })}
              />
              <TextInput
                label="Description"
                style={{ flex: 1 }}
                value={r.description}
                placeholder="Mobile"
                onChange={(e) => update({ description: e.currentTarget.value })}
              />
            </>
          )}
        </RowsEditor>
      ),
    },
    {
      name: 'tag_list',
      label: 'Tags',
      wide: true,
      placeholder: 'vip:yes, state:CA',
      description: 'key:value pairs, comma-separated',
    },
  ],
  fromRow: (r) => ({
    ...r,
    contact_numbers: (r.contact_numbers ?? []).map((n: any) => ({
      id: n.id,
      number: n.number,
      description: n.description ?? '',
    })),
    tag_list: (r.tag_values ?? []).map((t: any) => `${t.key}:${t.value}`).join(', '),
  }),
  toBody: (v, row) => ({
    contact_numbers_attributes: numbersToBody(v, row),
    tag_list: toTagList(v.tag_list),
  }),
};

export const staticCallerNumbers: ResourceDef = {
  key: 'static-caller-numbers',
  title: 'Static caller numbers',
  singular: 'static caller number',
  description:
    'Caller ids a whole call center shares: a call from one is sent on with a random caller id instead.',
  list: '/static_caller_numbers.json',
  wrap: 'static_caller_number',
  item: (r) => `/static_caller_numbers/${r.id}.json`,
  editable: false,
  columns: [
    strong('Number', (r) => r.number),
    { label: 'Since', render: (r) => new Date(r.created_at).toLocaleString() },
  ],
  fields: [{ name: 'number', label: 'Caller number', required: true, placeholder: '+18005550100' }],
  toBody: (v) => ({ number: v.number }),
};

/** Seed zone names a company most often picks; any other the API knows may be typed. */
const COMMON_ZONES = [
  'UTC',
  'Eastern Time (US & Canada)',
  'Central Time (US & Canada)',
  'Mountain Time (US & Canada)',
  'Pacific Time (US & Canada)',
  'Arizona',
  'Alaska',
  'Hawaii',
  'Atlantic Time (Canada)',
  'London',
];

const company: ResourceDef = {
  key: 'company',
  title: 'Company',
  singular: 'company',
  description: '',
  // `/company` is this page's own read; invalidating it also refreshes the switcher's `/companies`.
  list: '/company.json',
  wrap: 'company',
  item: (r) => `/companies/${r.id}.json`,
  columns: [],
  fields: [
    { name: 'name', label: 'Name', required: true },
    {
      name: 'time_zone',
      label: 'Time zone',
      render: (ctx) => (
        <Autocomplete
          label="Time zone"
          description="Reports cut days and “calls today” counts in this zone. Type any zone name the API knows."
          data={COMMON_ZONES}
          value={ctx.values.time_zone ?? ''}
          onChange={(v) => ctx.set('time_zone', v)}
          error={errorsFor(ctx.errors, 'time_zone')}
          name="time_zone"
        />
      ),
    },
    {
      name: 'default_click_url',
      label: 'Default click URL',
      wide: true,
      description: 'Fired at the start of calls of campaigns that set none',
    },
    {
      name: 'default_sale_url',
      label: 'Default sale URL',
      wide: true,
      description: 'Fired when calls of campaigns that set none convert',
    },
  ],
  toBody: (v) => ({
    name: v.name,
    time_zone: v.time_zone ?? '',
    default_click_url: v.default_click_url || null,
    default_sale_url: v.default_sale_url || null,
  }),
};

/** The company's own settings: one form, saved in place. */
export function CompanySettings() {
  const current = useGet<any>('/company.json');
  const [saved, setSaved] = useState(false);
  if (current.isLoading) return <Loading label="Loading the company" />;
  if (current.error) return <ErrorState error={current.error} />;
  const row = current.data?.company;
  return (
    <Paper withBorder p="md" maw={760}>
      <Text c="dimmed" size="sm" mb="md">
        Settings of {row?.name}: its name, the time zone its reports and counters use, and the default pixels
        of its campaigns.
      </Text>
      {saved && (
        <Alert color="teal" mb="md" role="status" withCloseButton onClose={() => setSaved(false)}>
          Saved.
        </Alert>
      )}
      <ResourceForm key={row?.id} def={company} row={row} onDone={() => setSaved(true)} />
    </Paper>
  );
}
