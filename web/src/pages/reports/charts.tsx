import { SimpleGrid, Text } from '@mantine/core';
import type { ReactElement } from 'react';
import {
  Bar,
  BarChart,
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';

/** What the charts read of a report row. */
export interface ChartRow {
  facet_name: string;
  total_calls: number;
  converted_count_percent: number;
  revenue: number;
  payout: number;
}

type Point = ChartRow & { name: string; conversion: number };

/** Bars share one look: rounded tops, no wider than 56 px. */
const BAR = { radius: [4, 4, 0, 0] as [number, number, number, number], maxBarSize: 56 };

/** A chart in a figure named for screen readers, with a visible caption when it has one. */
function Figure({
  label,
  caption,
  height,
  children,
}: {
  label: string;
  caption?: boolean;
  height: number;
  children: ReactElement;
}) {
  return (
    <figure aria-label={label} style={{ margin: 0 }}>
      {caption && (
        <Text size="sm" fw={600} mb="xs">
          {label}
        </Text>
      )}
      <ResponsiveContainer width="100%" height={height}>
        {children}
      </ResponsiveContainer>
    </figure>
  );
}

/** Calls as bars (left axis) and the conversion rate as a line (right axis, 0–100 %). */
function CallsAndConversion({ data, right }: { data: Point[]; right: number }) {
  return (
    <ComposedChart data={data} margin={{ top: 10, right, bottom: 0, left: 0 }}>
      <CartesianGrid strokeDasharray="3 3" vertical={false} />
      <XAxis dataKey="name" />
      <YAxis yAxisId="calls" allowDecimals={false} />
      <YAxis yAxisId="rate" orientation="right" unit="%" domain={[0, 100]} />
      <Tooltip />
      <Legend />
      <Bar yAxisId="calls" dataKey="total_calls" name="Calls" fill="var(--mantine-color-indigo-5)" {...BAR} />
      <Line
        yAxisId="rate"
        dataKey="conversion"
        name="Conversion rate (%)"
        stroke="var(--mantine-color-teal-6)"
        strokeWidth={2}
      />
    </ComposedChart>
  );
}

/** By day: calls and conversion over time. By any other facet: money, then calls and conversion. */
export function ReportCharts({ facet, rows }: { facet: string; rows: ChartRow[] }) {
  const data: Point[] = rows.map((r) => ({
    ...r,
    name: r.facet_name,
    conversion: Math.round(r.converted_count_percent * 10) / 10,
  }));
  if (facet === 'daily')
    return (
      <Figure label="Calls per day and conversion rate" height={300}>
        <CallsAndConversion data={data} right={20} />
      </Figure>
    );
  return (
    <SimpleGrid cols={{ base: 1, lg: 2 }}>
      <Figure label="Revenue and payout" caption height={280}>
        <BarChart data={data} margin={{ top: 10, right: 10, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="name" />
          <YAxis />
          <Tooltip />
          <Legend />
          <Bar dataKey="revenue" name="Revenue" fill="var(--mantine-color-teal-5)" {...BAR} />
          <Bar dataKey="payout" name="Payout" fill="var(--mantine-color-orange-5)" {...BAR} />
        </BarChart>
      </Figure>
      <Figure label="Calls and conversion rate" caption height={280}>
        <CallsAndConversion data={data} right={10} />
      </Figure>
    </SimpleGrid>
  );
}
