import {
  Button,
  Group,
  Paper,
  SegmentedControl,
  SimpleGrid,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { IconDownload } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Empty, ErrorState, Loading, PageHeader } from '../components/Page';
import { buildUrl, request } from '../lib/api';
import { useCreds } from '../lib/session';
import { ReportCharts } from './reports/charts';

const FACETS = [
  { value: 'daily', label: 'By day' },
  { value: 'publisher', label: 'Publisher' },
  { value: 'buyer', label: 'Buyer' },
  { value: 'campaign', label: 'Campaign' },
  { value: 'number', label: 'Number' },
  { value: 'tag_value', label: 'Tag' },
];

interface Row {
  id: string | number | null;
  facet_name: string;
  total_calls: number;
  unique_calls: number;
  converted_count: number;
  converted_count_percent: number;
  revenue: number;
  payout: number;
  cost: number;
  profit: number;
  total_duration: number;
  connected_duration: number;
  in_progress_count: number;
}

const day = (d: Date) => d.toISOString().slice(0, 10);
const money = (n: number) => n.toLocaleString(undefined, { style: 'currency', currency: 'USD' });
const pct = (n: number) => `${(Math.round(n * 10) / 10).toLocaleString()}%`;

/** The reports API's facets over a date range: charts, a table, and the same rows as CSV. */
export function Reports() {
  const creds = useCreds();
  const today = new Date();
  const [start, setStart] = useState(day(new Date(today.getTime() - 6 * 86_400_000)));
  const [end, setEnd] = useState(day(new Date(today.getTime() + 86_400_000)));
  const [facet, setFacet] = useState('daily');
  const query = { domain: 'calls', facet, created_at_start: start, created_at_end: end, per_page: 1000 };
  const report = useQuery({
    queryKey: [creds.companyId, '/api/v1/reports', query],
    queryFn: async () =>
      (await request<{ count_total: number; data: Row[] }>(creds, 'GET', '/api/v1/reports.json', { query }))
        .body,
  });
  const exportCsv = async () => {
    // Fetched with the key in a header, then saved from memory: the key never goes into a link.
    const res = await fetch(buildUrl('/api/v1/reports.csv', query, creds.companyId), {
      headers: { authorization: `Bearer ${creds.key}` },
    });
    const blob = await res.blob();
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `switchboard-${facet}-${start}-${end}.csv`;
    a.click();
    URL.revokeObjectURL(a.href);
  };
  const rows = report.data?.data ?? [];
  const totals = rows.reduce(
    (t, r) => ({
      calls: t.calls + r.total_calls,
      converted: t.converted + r.converted_count,
      revenue: t.revenue + r.revenue,
      profit: t.profit + r.profit,
    }),
    { calls: 0, converted: 0, revenue: 0, profit: 0 },
  );
  return (
    <>
      <PageHeader
        title="Reports"
        description="Calls, conversions and money over a date range."
        actions={
          <Button
            variant="light"
            leftSection={<IconDownload size={16} />}
            onClick={exportCsv}
            disabled={!rows.length}
          >
            Export CSV
          </Button>
        }
      />
      <Paper withBorder p="md" mb="md">
        <Group align="flex-end" wrap="wrap">
          <TextInput
            label="From"
            type="date"
            value={start}
            onChange={(e) => setStart(e.currentTarget.value)}
          />
          <TextInput
            label="Until (exclusive)"
            type="date"
            value={end}
            onChange={(e) => setEnd(e.currentTarget.value)}
          />
          <div>
            <Text size="sm" fw={500} mb={4} id="facet-label">
              Group by
            </Text>
            <SegmentedControl aria-labelledby="facet-label" value={facet} onChange={setFacet} data={FACETS} />
          </div>
        </Group>
      </Paper>
      {report.isLoading && <Loading label="Loading the report" />}
      {report.error && <ErrorState error={report.error} />}
      {report.data && rows.length === 0 && (
        <Paper withBorder>
          <Empty title="No calls in this range">Pick other dates, or place a call from the Test phone.</Empty>
        </Paper>
      )}
      {rows.length > 0 && (
        <>
          <SimpleGrid cols={{ base: 2, sm: 4 }} mb="md">
            {[
              ['Calls', String(totals.calls)],
              ['Converted', String(totals.converted)],
              ['Revenue', money(totals.revenue)],
              ['Profit', money(totals.profit)],
            ].map(([label, value]) => (
              <Paper withBorder p="md" key={label}>
                <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
                  {label}
                </Text>
                <Text fz={24} fw={700}>
                  {value}
                </Text>
              </Paper>
            ))}
          </SimpleGrid>
          <Paper withBorder p="md" mb="md">
            <Title order={2} size="h5" mb="sm">
              {FACETS.find((f) => f.value === facet)?.label}
            </Title>
            <ReportCharts facet={facet} rows={rows} />
          </Paper>
          <Paper withBorder>
            <Table.ScrollContainer minWidth={760}>
              <Table striped verticalSpacing="xs" aria-label="Report rows">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{FACETS.find((f) => f.value === facet)?.label}</Table.Th>
                    <Table.Th ta="right">Calls</Table.Th>
                    <Table.Th ta="right">Unique</Table.Th>
                    <Table.Th ta="right">Converted</Table.Th>
                    <Table.Th ta="right">Conversion</Table.Th>
                    <Table.Th ta="right">Revenue</Table.Th>
                    <Table.Th ta="right">Payout</Table.Th>
                    <Table.Th ta="right">Cost</Table.Th>
                    <Table.Th ta="right">Profit</Table.Th>
                    <Table.Th ta="right">Avg. duration</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {rows.map((r) => (
                    <Table.Tr key={String(r.id)}>
                      <Table.Td>{r.facet_name}</Table.Td>
                      <Table.Td ta="right">{r.total_calls}</Table.Td>
                      <Table.Td ta="right">{r.unique_calls}</Table.Td>
                      <Table.Td ta="right">{r.converted_count}</Table.Td>
                      <Table.Td ta="right">{pct(r.converted_count_percent)}</Table.Td>
                      <Table.Td ta="right">{money(r.revenue)}</Table.Td>
                      <Table.Td ta="right">{money(r.payout)}</Table.Td>
                      <Table.Td ta="right">{money(r.cost)}</Table.Td>
                      <Table.Td ta="right">{money(r.profit)}</Table.Td>
                      <Table.Td ta="right">{Math.round(r.total_duration)} s</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </Paper>
        </>
      )}
    </>
  );
}
