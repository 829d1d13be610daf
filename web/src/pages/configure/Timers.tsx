import { NumberInput, TextInput } from '@mantine/core';
import type { FieldContext } from './fields';
import { RowsEditor } from './RowsEditor';

export interface TimerRow {
  id?: number;
  seconds: number | string;
  url: string;
}

/** The campaign's timers: a URL (pixel) fired once a call has lasted that many seconds. */
export function Timers({ ctx }: { ctx: FieldContext }) {
  return (
    <RowsEditor<TimerRow>
      ctx={ctx}
      name="timers"
      errorKey="timers_attributes"
      label="Pixels (timers)"
      description="Fired when a call has lasted this long; macros such as [caller_id] are filled in."
      addLabel="Add a pixel"
      removeLabel={(_, i) => `Remove pixel ${i + 1}`}
      blank={() => ({ seconds: 0, url: '' })}
    >
      {(r, update) => (
        <>
          <NumberInput
            label="After (s)"
            w={110}
            min={0}
            value={r.seconds}
            onChange={(v) => update({ seconds: v })}
          />
          <TextInput
            label="URL"
            style={{ flex: 1 }}
            value={r.url}
            placeholder="https://tracker.example/pixel?caller=[caller_id]"
            onChange={(e) => update({ url: e.currentTarget.value })}
          />
        </>
      )}
    </RowsEditor>
  );
}
