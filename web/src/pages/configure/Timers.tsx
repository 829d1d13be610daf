import { ActionIcon, Button, Group, Input, NumberInput, Stack, TextInput } from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { errorsFor, type FieldContext } from './fields';

export interface TimerRow {
  id?: number;
  seconds: number | string;
  url: string;
}

/** The campaign's timers: a URL (pixel) fired once a call has lasted that many seconds. */
export function Timers({ ctx }: { ctx: FieldContext }) {
  const rows: TimerRow[] = ctx.values.timers ?? [];
  const set = (next: TimerRow[]) => ctx.set('timers', next);
  return (
    <Input.Wrapper
      label="Pixels (timers)"
      description="Fired when a call has lasted this long; macros such as [caller_id] are filled in."
      error={errorsFor(ctx.errors, 'timers_attributes')}
    >
      <Stack gap="xs" mt={6}>
        {rows.map((r, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows have no id until saved; order is the identity
          <Group key={i} gap="xs" align="flex-end" wrap="nowrap">
            <NumberInput
              label="After (s)"
              w={110}
              min={0}
              value={r.seconds}
              onChange={(v) => set(rows.map((x, j) => (j === i ? { ...x, seconds: v } : x)))}
            />
            <TextInput
              label="URL"
              style={{ flex: 1 }}
              value={r.url}
              placeholder="https://tracker.example/pixel?caller=[caller_id]"
              onChange={(e) => {
                const url = e.currentTarget.value;
                set(rows.map((x, j) => (j === i ? { ...x, url } : x)));
              }}
            />
            <ActionIcon
              variant="subtle"
              color="red"
              size="lg"
              aria-label={`Remove pixel ${i + 1}`}
              onClick={() => set(rows.filter((_, j) => j !== i))}
            >
              <IconTrash size={18} />
            </ActionIcon>
          </Group>
        ))}
        <Button
          variant="light"
          size="xs"
          leftSection={<IconPlus size={14} />}
          w="fit-content"
          onClick={() => set([...rows, { seconds: 0, url: '' }])}
        >
          Add a pixel
        </Button>
      </Stack>
    </Input.Wrapper>
  );
}
