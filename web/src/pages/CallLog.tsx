import {
  Badge,
  Button,
  Collapse,
  Group,
  Pagination,
  Paper,
  Select,
  SimpleGrid,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { IconFilter, IconFilterOff } from '@tabler/icons-react';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { Empty, ErrorState, Loading, PageHeader } from '../components/Page';
import { useAll, useList } from '../lib/hooks';

export function statusColor(status: string): string {
  if (status === 'finished') return 'teal';
  if (status === 'in-progress') return 'indigo';
  if (status === 'no-target' || status === 'blocked') return 'orange';
  return 'gray';
}

export function seconds(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  return n >= 60 ? `${Math.floor(n / 60)}m ${n % 60}s` : `${n}s`;
}

const FILTERS = [
  'created_at_start',
  'created_at_end',
  'caller',
  'client_cid',
  'client_afid',
  'client_tid',
  'sub_id',
  'order',
] as const;

/** The call log: the Calls API (V3) with its filters and its paging (25 a page, X-Total-Count). */
export function CallLog() {
  const [params, setParams] = useSearchParams();
  const page = Number(params.get('page') ?? 1);
  const query: Record<string, string | number | undefined> = { page };
  for (const f of FILTERS) if (params.get(f)) query[f] = params.get(f) ?? undefined;
  const calls = useList<any>('/api/v3/calls.json', 'call', query);
  const campaigns = useAll<any>('/campaigns.json', 'campaign');
  const publishers = useAll<any>('/affiliates.json', 'affiliate');
  const [caller, setCaller] = useState(params.get('caller') ?? '');
  // On a phone the filters fold away behind a button; on wider screens they stay open.
  const small = useMediaQuery('(max-width: 48em)');
  const [filtersOpen, setFiltersOpen] = useState(false);
  const set = (name: string, value: string | null) => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    if (name !== 'page') next.delete('page');
    setParams(next);
  };
  const pages = Math.max(1, Math.ceil((calls.data?.total ?? 0) / 25));
  return (
    <>
      <PageHeader
        title="Call log"
        description={
          calls.data
            ? `${calls.data.total} ${calls.data.total === 1 ? 'call' : 'calls'}`
            : 'Every call, newest first.'
        }
      />
      {small && (
        <Button
          variant="light"
          leftSection={<IconFilter size={16} />}
          mb="sm"
          onClick={() => setFiltersOpen((o) => !o)}
          aria-expanded={filtersOpen}
          aria-controls="call-filters"
        >
          Filters
        </Button>
      )}
      <Collapse expanded={!small || filtersOpen} id="call-filters">
        <Paper
          withBorder
          p="md"
          mb="md"
          component="form"
          role="search"
          aria-label="Filter calls"
          onSubmit={(e) => {
            e.preventDefault();
            set('caller', caller.trim() || null);
          }}
        >
          <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }}>
            <TextInput
              label="From"
              type="date"
              value={params.get('created_at_start') ?? ''}
              onChange={(e) => set('created_at_start', e.currentTarget.value)}
            />
            <TextInput
              label="Until"
              type="date"
              value={params.get('created_at_end') ?? ''}
              onChange={(e) => set('created_at_end', e.currentTarget.value)}
            />
            <Select
              label="Campaign"
              clearable
              searchable
              data={(campaigns.data ?? []).map((c) => ({ value: c.cid, label: c.name ?? c.cid }))}
              value={params.get('client_cid')}
              onChange={(v) => set('client_cid', v)}
            />
            <Select
              label="Publisher"
              clearable
              searchable
              data={(publishers.data ?? []).map((a) => ({ value: a.afid, label: a.company_name ?? a.afid }))}
              value={params.get('client_afid')}
              onChange={(v) => set('client_afid', v)}
            />
            <TextInput
              label="Caller"
              placeholder="+13015550100"
              value={caller}
              onChange={(e) => setCaller(e.currentTarget.value)}
              onBlur={() => set('caller', caller.trim() || null)}
            />
            <TextInput
              label="Target id (tid)"
              defaultValue={params.get('client_tid') ?? ''}
              onBlur={(e) => set('client_tid', e.currentTarget.value.trim() || null)}
            />
            <TextInput
              label="Sub id"
              defaultValue={params.get('sub_id') ?? ''}
              onBlur={(e) => set('sub_id', e.currentTarget.value.trim() || null)}
            />
            <Select
              label="Order"
              allowDeselect={false}
              data={[
                { value: 'desc', label: 'Newest first' },
                { value: 'asc', label: 'Oldest first' },
              ]}
              value={params.get('order') ?? 'desc'}
              onChange={(v) => set('order', v === 'desc' ? null : v)}
            />
          </SimpleGrid>
          <Group justify="flex-end" mt="sm">
            <Button type="submit" variant="light">
              Apply
            </Button>
            <Button
              variant="subtle"
              color="gray"
              leftSection={<IconFilterOff size={16} />}
              onClick={() => {
                setCaller('');
                setParams(new URLSearchParams());
              }}
            >
              Clear filters
            </Button>
          </Group>
        </Paper>
      </Collapse>
      <Paper withBorder>
        {calls.isLoading && <Loading label="Loading calls" />}
        {calls.error && <ErrorState error={calls.error} />}
        {calls.data && calls.data.items.length === 0 && (
          <Empty title="No calls match">
            Calls appear here as soon as they start. Try the Test phone, or clear the filters.
          </Empty>
        )}
        {calls.data && calls.data.items.length > 0 && (
          <Table.ScrollContainer minWidth={860}>
            <Table highlightOnHover verticalSpacing="sm" aria-label="Calls">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Started</Table.Th>
                  <Table.Th>Caller</Table.Th>
                  <Table.Th>Number</Table.Th>
                  <Table.Th>Campaign</Table.Th>
                  <Table.Th>Publisher</Table.Th>
                  <Table.Th>Target</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th ta="right">Duration</Table.Th>
                  <Table.Th ta="right">Pixels</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {calls.data.items.map((c) => (
                  <Table.Tr key={c.uuid} data-call={c.uuid}>
                    <Table.Td>
                      <Link
                        to={`/call-log/${c.uuid}`}
                        aria-label={`Call from ${c.caller} at ${new Date(c.start_time).toLocaleString()}`}
                      >
                        {new Date(c.start_time).toLocaleString()}
                      </Link>
                    </Table.Td>
                    <Table.Td>{c.caller}</Table.Td>
                    <Table.Td>{c.number}</Table.Td>
                    <Table.Td>{c.campaign_name ?? c.cid ?? '—'}</Table.Td>
                    <Table.Td>{c.affiliate_name ?? c.afid ?? '—'}</Table.Td>
                    <Table.Td>{c.target_name ?? c.dialed_number ?? '—'}</Table.Td>
                    <Table.Td>
                      <Badge variant="light" color={statusColor(c.status)}>
                        {c.status}
                      </Badge>
                      {c.connected && (
                        <Badge variant="light" color="teal" ml={4}>
                          connected
                        </Badge>
                      )}
                    </Table.Td>
                    <Table.Td ta="right">{seconds(c.total_duration)}</Table.Td>
                    <Table.Td ta="right">{c.fired_pixels_count ?? 0}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Paper>
      {pages > 1 && (
        <Group justify="center" mt="md">
          <Pagination
            total={pages}
            value={page}
            onChange={(p) => set('page', String(p))}
            aria-label="Pages of calls"
          />
        </Group>
      )}
      <Text size="xs" c="dimmed" mt="sm">
        Dates are in the company's time zone.
      </Text>
    </>
  );
}
