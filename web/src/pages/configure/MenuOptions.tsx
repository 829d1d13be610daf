import { ActionIcon, Button, Group, Input, MultiSelect, Select, Stack, TextInput } from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { errorsFor, type FieldContext } from './fields';

export interface MenuRow {
  id?: number;
  option: string;
  target_ids: string[];
  target_number: string;
}

const DIGITS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '*', '#'].map((d) => ({
  value: d,
  label: d,
}));

/** The campaign's menu: a key, and the targets (or a number) it sends the caller to. */
export function MenuOptions({ ctx }: { ctx: FieldContext }) {
  const rows: MenuRow[] = ctx.values.menu_options ?? [];
  const set = (next: MenuRow[]) => ctx.set('menu_options', next);
  return (
    <Input.Wrapper
      label="Menu options"
      description="What each key does during the greeting. A caller who presses no key is hung up on; with no greeting, calls take option 1 (or the targets above) at once."
      error={errorsFor(ctx.errors, 'menu_options_attributes')}
    >
      <Stack gap="xs" mt={6}>
        {rows.map((r, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows have no id until saved; order is the identity
          <Group key={i} gap="xs" align="flex-end" wrap="nowrap">
            <Select
              label="Key"
              w={80}
              data={DIGITS}
              value={r.option}
              onChange={(v) => set(rows.map((x, j) => (j === i ? { ...x, option: v ?? '' } : x)))}
            />
            <MultiSelect
              label="Targets"
              searchable
              style={{ flex: 1 }}
              data={ctx.options.targets ?? []}
              value={r.target_ids}
              onChange={(v) => set(rows.map((x, j) => (j === i ? { ...x, target_ids: v } : x)))}
            />
            <TextInput
              label="or a number"
              w={150}
              value={r.target_number}
              onChange={(e) => {
                const value = e.currentTarget.value;
                set(rows.map((x, j) => (j === i ? { ...x, target_number: value } : x)));
              }}
            />
            <ActionIcon
              variant="subtle"
              color="red"
              size="lg"
              aria-label={`Remove option ${r.option}`}
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
          onClick={() =>
            set([...rows, { option: String(rows.length + 1), target_ids: [], target_number: '' }])
          }
        >
          Add an option
        </Button>
      </Stack>
    </Input.Wrapper>
  );
}
