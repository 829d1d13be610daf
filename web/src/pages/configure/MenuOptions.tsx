import { MultiSelect, Select, TextInput } from '@mantine/core';
import type { FieldContext } from './fields';
import { RowsEditor } from './RowsEditor';

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
  return (
    <RowsEditor<MenuRow>
      ctx={ctx}
      name="menu_options"
      errorKey="menu_options_attributes"
      label="Menu options"
      description="What each key does during the greeting. A caller who presses no key by the greeting's last repeat is hung up on (the call says “no key pressed”); with no greeting, calls take option 1 (or the targets above) at once."
      addLabel="Add an option"
      removeLabel={(r) => `Remove option ${r.option}`}
      blank={(rows) => ({ option: String(rows.length + 1), target_ids: [], target_number: '' })}
    >
      {(r, update) => (
        <>
          <Select
            label="Key"
            w={80}
            data={DIGITS}
            value={r.option}
            onChange={(v) => update({ option: v ?? '' })}
          />
          <MultiSelect
            label="Targets"
            searchable
            style={{ flex: 1 }}
            data={ctx.options.targets ?? []}
            value={r.target_ids}
            onChange={(v) => update({ target_ids: v })}
          />
          <TextInput
            label="or a number"
            w={150}
            value={r.target_number}
            onChange={(e) => update({ target_number: e.currentTarget.value })}
          />
        </>
      )}
    </RowsEditor>
  );
}
