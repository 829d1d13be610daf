import {
  ActionIcon,
  Alert,
  Button,
  Code,
  CopyButton,
  Group,
  Modal,
  Pagination,
  Paper,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Tooltip,
} from '@mantine/core';
import { IconCheck, IconCopy, IconPencil, IconPlus, IconTrash } from '@tabler/icons-react';
import { useQueries } from '@tanstack/react-query';
import { type FormEvent, type ReactNode, useMemo, useState } from 'react';
import { Empty, ErrorState, Loading } from '../../components/Page';
import { ApiError, type FieldErrors, listAll } from '../../lib/api';
import { useList, useWrite } from '../../lib/hooks';
import { useCreds } from '../../lib/session';
import { type Field, FieldInput, type Values } from './fields';

export interface Column {
  label: string;
  render: (row: any) => ReactNode;
}

export interface ResourceDef {
  key: string;
  title: string;
  singular: string;
  description: string;
  /** The list's path and the key each row is wrapped in (`/targets.json`, `target`). */
  list: string;
  wrap: string;
  /** One row's path (edit and delete); absent: rows cannot be edited or deleted here. */
  item?: (row: any) => string;
  /** Where a create goes, when not to the list's path. */
  createPath?: (values: Values) => string;
  editable?: boolean;
  columns: Column[];
  fields: Field[];
  /** Form values → the API's attributes (default: the values as they are). */
  toBody?: (values: Values, row: any | null) => Values;
  /** A row → form values (default: the row). */
  fromRow?: (row: any) => Values;
  defaults?: Values;
  /** Picker sources the form needs: targets, campaigns, affiliates, target_groups, number_pools. */
  sources?: string[];
  /** Tells the user what the create answered once (a key shown only now). */
  secret?: (created: any) => string | undefined;
  /** What the rows of the list are scoped to, when the list depends on a choice (postback keys). */
  scope?: ReactNode;
}

const SOURCES: Record<
  string,
  { path: string; wrap: string; label: (r: any) => string; value?: (r: any) => string }
> = {
  targets: { path: '/targets.json', wrap: 'target', label: (r) => r.name ?? r.number },
  target_groups: {
    path: '/target_groups.json',
    wrap: 'target_group',
    label: (r) => r.name ?? `Group ${r.id}`,
  },
  campaigns: {
    path: '/campaigns.json',
    wrap: 'campaign',
    label: (r) => `${r.name ?? r.cid} (${r.cid})`,
    value: (r) => r.cid,
  },
  campaign_ids: { path: '/campaigns.json', wrap: 'campaign', label: (r) => `${r.name ?? r.cid} (${r.cid})` },
  affiliates: {
    path: '/affiliates.json',
    wrap: 'affiliate',
    label: (r) =>
      `${[r.first_name, r.last_name].filter(Boolean).join(' ') || r.company_name || r.afid} (${r.afid})`,
    value: (r) => r.afid,
  },
};

function useSources(names: string[]) {
  const creds = useCreds();
  const results = useQueries({
    queries: names.map((n) => ({
      queryKey: [creds.companyId, SOURCES[n].path, 'all'],
      queryFn: () => listAll<any>(creds, SOURCES[n].path, SOURCES[n].wrap),
    })),
  });
  return useMemo(() => {
    const out: Record<string, { value: string; label: string }[]> = {};
    names.forEach((n, i) => {
      const s = SOURCES[n];
      out[n] = (results[i].data ?? []).map((r) => ({
        value: s.value ? s.value(r) : String(r.id),
        label: s.label(r),
      }));
    });
    return out;
  }, [names, results]);
}

export function ResourceForm({
  def,
  row,
  onDone,
}: {
  def: ResourceDef;
  row: any | null;
  onDone: (created: any) => void;
}) {
  const [values, setValues] = useState<Values>(() =>
    row ? (def.fromRow ? def.fromRow(row) : { ...row }) : { ...def.defaults },
  );
  const [errors, setErrors] = useState<FieldErrors>({});
  const [general, setGeneral] = useState<string | null>(null);
  const write = useWrite([def.list.replace(/\.json$/, '')]);
  const options = useSources(def.sources ?? []);
  const fields = def.fields.filter((f) => !(row && f.createOnly));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setErrors({});
    setGeneral(null);
    const attrs = def.toBody ? def.toBody(values, row) : values;
    try {
      const result = await write.mutateAsync({
        method: row ? 'PUT' : 'POST',
        path: row ? def.item!(row) : (def.createPath?.(values) ?? def.list),
        body: { [def.wrap]: attrs },
      });
      onDone(row ? null : (result?.[def.wrap] ?? result));
    } catch (err) {
      if (err instanceof ApiError) {
        setErrors(err.fields);
        // Messages no field of this form shows are listed above the buttons.
        const shown = new Set(fields.map((f) => f.errorKey ?? f.name));
        const rest = Object.keys(err.fields).filter(
          (k) => ![...shown].some((n) => k === n || k.startsWith(`${n}.`) || k.startsWith(`${n}[`)),
        );
        if (rest.length || Object.keys(err.fields).length === 0)
          setGeneral(
            rest.length ? rest.map((k) => `${k} ${err.fields[k].join(', ')}`).join('; ') : err.message,
          );
      } else setGeneral((err as Error).message);
    }
  };
  const ctx = {
    values,
    set: (name: string, value: unknown) => setValues((v) => ({ ...v, [name]: value })),
    errors,
    options,
  };
  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          {fields.map((f) => (
            <div key={f.name} style={f.wide || f.render ? { gridColumn: '1 / -1' } : undefined}>
              <FieldInput field={f} ctx={ctx} />
            </div>
          ))}
        </SimpleGrid>
        {general && (
          <Alert color="red" role="alert" title="Not saved">
            {general}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button type="submit" loading={write.isPending}>
            {row ? 'Save' : `Create ${def.singular}`}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

export function ResourcePage({ def }: { def: ResourceDef }) {
  const [page, setPage] = useState(1);
  const rows = useList<any>(def.list, def.wrap, { page });
  const [editing, setEditing] = useState<any | null | undefined>(undefined);
  const [secret, setSecret] = useState<string | null>(null);
  const [deleteError, setDeleteError] = useState<string | null>(null);
  const remove = useWrite([def.list.replace(/\.json$/, '')]);
  const pages = Math.max(1, Math.ceil((rows.data?.total ?? 0) / 25));
  const del = async (row: any) => {
    if (!window.confirm(`Delete this ${def.singular}?`)) return;
    setDeleteError(null);
    try {
      await remove.mutateAsync({ method: 'DELETE', path: def.item!(row) });
    } catch (err) {
      setDeleteError((err as Error).message);
    }
  };
  return (
    <Stack>
      <Group justify="space-between" align="flex-start">
        <Text c="dimmed" size="sm" maw={640}>
          {def.description}
        </Text>
        <Button leftSection={<IconPlus size={16} />} onClick={() => setEditing(null)}>
          New {def.singular}
        </Button>
      </Group>
      {def.scope}
      {deleteError && <ErrorState error={new Error(deleteError)} />}
      {secret && (
        <Alert
          color="teal"
          title="Copy it now: it is shown only once"
          withCloseButton
          onClose={() => setSecret(null)}
        >
          <Group gap="xs">
            <Code>{secret}</Code>
            <CopyButton value={secret}>
              {({ copied, copy }) => (
                <ActionIcon variant="subtle" onClick={copy} aria-label="Copy the key">
                  {copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
                </ActionIcon>
              )}
            </CopyButton>
          </Group>
        </Alert>
      )}
      <Paper withBorder>
        {rows.isLoading && <Loading />}
        {rows.error && <ErrorState error={rows.error} />}
        {rows.data && rows.data.items.length === 0 && (
          <Empty title={`No ${def.title.toLowerCase()} yet`}>
            Create the first with “New {def.singular}”.
          </Empty>
        )}
        {rows.data && rows.data.items.length > 0 && (
          <Table.ScrollContainer minWidth={600}>
            <Table highlightOnHover verticalSpacing="sm" aria-label={def.title}>
              <Table.Thead>
                <Table.Tr>
                  {def.columns.map((c) => (
                    <Table.Th key={c.label}>{c.label}</Table.Th>
                  ))}
                  {def.item && (
                    <Table.Th w={90}>
                      <span className="visually-hidden">Actions</span>
                    </Table.Th>
                  )}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.data.items.map((row) => (
                  <Table.Tr key={row.id ?? row.number}>
                    {def.columns.map((c) => (
                      <Table.Td key={c.label}>{c.render(row)}</Table.Td>
                    ))}
                    {def.item && (
                      <Table.Td>
                        <Group gap={4} wrap="nowrap">
                          {def.editable !== false && (
                            <Tooltip label="Edit">
                              <ActionIcon
                                variant="subtle"
                                aria-label={`Edit ${def.singular} ${row.name ?? row.number ?? row.id}`}
                                onClick={() => setEditing(row)}
                              >
                                <IconPencil size={18} />
                              </ActionIcon>
                            </Tooltip>
                          )}
                          <Tooltip label="Delete">
                            <ActionIcon
                              variant="subtle"
                              color="red"
                              aria-label={`Delete ${def.singular} ${row.name ?? row.number ?? row.id}`}
                              onClick={() => del(row)}
                            >
                              <IconTrash size={18} />
                            </ActionIcon>
                          </Tooltip>
                        </Group>
                      </Table.Td>
                    )}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Paper>
      {pages > 1 && <Pagination total={pages} value={page} onChange={setPage} aria-label="Pages" />}
      <Modal
        opened={editing !== undefined}
        onClose={() => setEditing(undefined)}
        title={editing ? `Edit ${def.singular}` : `New ${def.singular}`}
        size="xl"
        closeButtonProps={{ 'aria-label': 'Close' }}
      >
        {editing !== undefined && (
          <ResourceForm
            def={def}
            row={editing}
            onDone={(created) => {
              setEditing(undefined);
              const s = created && def.secret?.(created);
              if (s) setSecret(s);
            }}
          />
        )}
      </Modal>
    </Stack>
  );
}
