import { ActionIcon, Button, Group, Input, Stack } from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { errorsFor, type FieldContext } from './fields';

/**
 * A list of nested rows edited in place (a campaign's menu options and pixels, a contact's numbers):
 * each row's inputs, a remove button per row, an add button, and the API's errors for the nested
 * attributes (`menu_options_attributes.0.option`) under the whole editor.
 */
export function RowsEditor<R>({
  ctx,
  name,
  errorKey,
  label,
  description,
  addLabel,
  removeLabel,
  blank,
  children,
}: {
  ctx: FieldContext;
  /** The form value holding the rows. */
  name: string;
  /** The API's name for them (`timers_attributes`), whose errors show here. */
  errorKey: string;
  label: string;
  description: string;
  addLabel: string;
  removeLabel: (row: R, index: number) => string;
  /** A new row, given those there are. */
  blank: (rows: R[]) => R;
  /** One row's inputs; `update` merges a change into that row. */
  children: (row: R, update: (change: Partial<R>) => void) => ReactNode;
}) {
  const rows: R[] = ctx.values[name] ?? [];
  const set = (next: R[]) => ctx.set(name, next);
  return (
    <Input.Wrapper label={label} description={description} error={errorsFor(ctx.errors, errorKey)}>
      <Stack gap="xs" mt={6}>
        {rows.map((r, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows have no id until saved; order is the identity
          <Group key={i} gap="xs" align="flex-end" wrap="nowrap">
            {children(r, (change) => set(rows.map((x, j) => (j === i ? { ...x, ...change } : x))))}
            <ActionIcon
              variant="subtle"
              color="red"
              size="lg"
              aria-label={removeLabel(r, i)}
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
          onClick={() => set([...rows, blank(rows)])}
        >
          {addLabel}
        </Button>
      </Stack>
    </Input.Wrapper>
  );
}
