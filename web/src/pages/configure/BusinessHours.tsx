import { Checkbox, Input, Table, TextInput } from '@mantine/core';
import { errorsFor, type FieldContext } from './fields';

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

export interface HoursRow {
  id?: number;
  day_of_week: number;
  work_day: boolean;
  time_open: number;
  time_close: number;
}

/** 900 ↔ "09:00" (the API's HHMM integers; 2400 is the end of the day). */
export const toClock = (n: number) =>
  `${String(Math.floor(n / 100)).padStart(2, '0')}:${String(n % 100).padStart(2, '0')}`;
export const fromClock = (s: string) => {
  const m = /^(\d{1,2}):?(\d{2})$/.exec(s.trim());
  return m ? Number(m[1]) * 100 + Number(m[2]) : Number.NaN;
};

export function weekOf(rows: HoursRow[] | undefined): HoursRow[] {
  return DAYS.map(
    (_, d) =>
      rows?.find((r) => r.day_of_week === d) ?? {
        day_of_week: d,
        work_day: true,
        time_open: 0,
        time_close: 2400,
      },
  );
}

/** The business hours as a week grid: one row a day, open or closed, opening and closing times. */
export function BusinessHours({ ctx }: { ctx: FieldContext }) {
  const rows = weekOf(ctx.values.business_hours_attributes);
  const error = errorsFor(ctx.errors, 'business_hours_attributes');
  const update = (day: number, patch: Partial<HoursRow>) =>
    ctx.set(
      'business_hours_attributes',
      rows.map((r) => (r.day_of_week === day ? { ...r, ...patch } : r)),
    );
  return (
    <Input.Wrapper
      label="Business hours"
      description="In the target's time zone; 24:00 closes at midnight."
      error={error}
    >
      <Table withRowBorders={false} verticalSpacing={2} mt={4}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Day</Table.Th>
            <Table.Th>Open</Table.Th>
            <Table.Th>From</Table.Th>
            <Table.Th>Until</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((r) => (
            <Table.Tr key={r.day_of_week}>
              <Table.Td>{DAYS[r.day_of_week]}</Table.Td>
              <Table.Td>
                <Checkbox
                  aria-label={`Open on ${DAYS[r.day_of_week]}`}
                  checked={r.work_day}
                  onChange={(e) => update(r.day_of_week, { work_day: e.currentTarget.checked })}
                />
              </Table.Td>
              <Table.Td>
                <TextInput
                  size="xs"
                  w={80}
                  aria-label={`${DAYS[r.day_of_week]} opens at`}
                  disabled={!r.work_day}
                  defaultValue={toClock(r.time_open)}
                  onBlur={(e) => update(r.day_of_week, { time_open: fromClock(e.currentTarget.value) })}
                />
              </Table.Td>
              <Table.Td>
                <TextInput
                  size="xs"
                  w={80}
                  aria-label={`${DAYS[r.day_of_week]} closes at`}
                  disabled={!r.work_day}
                  defaultValue={toClock(r.time_close)}
                  onBlur={(e) => update(r.day_of_week, { time_close: fromClock(e.currentTarget.value) })}
                />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Input.Wrapper>
  );
}
