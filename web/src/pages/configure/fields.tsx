import { MultiSelect, NumberInput, PasswordInput, Select, Switch, Textarea, TextInput } from '@mantine/core';
import type { ReactNode } from 'react';
import type { FieldErrors } from '../../lib/api';

export type Values = Record<string, any>;

export interface FieldContext {
  values: Values;
  set: (name: string, value: unknown) => void;
  errors: FieldErrors;
  /** Options of pickers, by source (targets, campaigns, …). */
  options: Record<string, { value: string; label: string }[]>;
}

export interface Field {
  name: string;
  label: string;
  kind?: 'text' | 'number' | 'decimal' | 'switch' | 'select' | 'multiselect' | 'textarea' | 'password';
  required?: boolean;
  description?: string;
  placeholder?: string;
  /** Fixed choices, or the name of a picker source. */
  choices?: { value: string; label: string }[];
  source?: string;
  /** Shown only when creating (fields the API does not change afterwards). */
  createOnly?: boolean;
  /** A whole custom editor (business hours, menu options, caps). */
  render?: (ctx: FieldContext) => ReactNode;
  /** Full width in the form's grid. */
  wide?: boolean;
  /** The API's name for the field when it differs (`menu_options` is sent as `menu_options_attributes`). */
  errorKey?: string;
}

/** The API's messages for a field and for anything nested under it (`business_hours_attributes.0.…`). */
export function errorsFor(errors: FieldErrors, name: string): string | undefined {
  const own = Object.entries(errors)
    .filter(([k]) => k === name || k.startsWith(`${name}.`) || k.startsWith(`${name}[`))
    .map(([k, msgs]) => (k === name ? msgs.join(', ') : `${k.slice(name.length + 1)} ${msgs.join(', ')}`));
  return own.length ? own.join('; ') : undefined;
}

export function FieldInput({ field, ctx }: { field: Field; ctx: FieldContext }) {
  if (field.render) return <>{field.render(ctx)}</>;
  const { values, set, errors } = ctx;
  const common = {
    label: field.label,
    description: field.description,
    placeholder: field.placeholder,
    required: field.required,
    error: errorsFor(errors, field.name),
    name: field.name,
  };
  const v = values[field.name];
  switch (field.kind ?? 'text') {
    case 'number':
      return (
        <NumberInput
          {...common}
          value={v ?? ''}
          onChange={(n) => set(field.name, n === '' ? null : Number(n))}
          allowDecimal={false}
        />
      );
    case 'decimal':
      return (
        <NumberInput
          {...common}
          value={v ?? ''}
          onChange={(n) => set(field.name, n === '' ? null : Number(n))}
          decimalScale={2}
        />
      );
    case 'switch':
      return (
        <Switch
          label={field.label}
          description={field.description}
          error={common.error}
          name={field.name}
          checked={!!v}
          onChange={(e) => set(field.name, e.currentTarget.checked)}
          mt="lg"
        />
      );
    case 'select':
      return (
        <Select
          {...common}
          data={field.choices ?? ctx.options[field.source ?? ''] ?? []}
          value={v === null || v === undefined ? null : String(v)}
          onChange={(s) => set(field.name, s)}
          clearable={!field.required}
          searchable
        />
      );
    case 'multiselect':
      return (
        <MultiSelect
          {...common}
          data={field.choices ?? ctx.options[field.source ?? ''] ?? []}
          value={(v ?? []).map(String)}
          onChange={(s) => set(field.name, s)}
          searchable
        />
      );
    case 'textarea':
      return (
        <Textarea
          {...common}
          autosize
          minRows={2}
          value={v ?? ''}
          onChange={(e) => set(field.name, e.currentTarget.value)}
        />
      );
    case 'password':
      return (
        <PasswordInput {...common} value={v ?? ''} onChange={(e) => set(field.name, e.currentTarget.value)} />
      );
    default:
      return (
        <TextInput {...common} value={v ?? ''} onChange={(e) => set(field.name, e.currentTarget.value)} />
      );
  }
}

/**
 * The forms' `key:value, key:value` as the API's tag list (`<<<key:value>>>,…`, the seed's format). Text
 * already in that format, or a piece that is no pair, goes as typed: the API then names what is wrong.
 */
export function toTagList(text: string | undefined | null): string {
  const raw = (text ?? '').trim();
  if (!raw || raw.includes('<<<')) return raw;
  return raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => (p.includes(':') ? `<<<${p}>>>` : p))
    .join(',');
}
