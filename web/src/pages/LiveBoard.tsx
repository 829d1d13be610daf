import {
  Anchor,
  Badge,
  Card,
  Grid,
  Group,
  Paper,
  SimpleGrid,
  Table,
  Text,
  Timeline,
  Title,
} from '@mantine/core';
import { IconPhoneCall } from '@tabler/icons-react';
import { useEffect, useReducer, useState } from 'react';
import { Link } from 'react-router';
import { Empty, PageHeader } from '../components/Page';
import { useCreds } from '../lib/session';
import { elapsed, initialBoard, type LiveCall, reduceBoard } from '../live/board';
import { openLiveStream } from '../live/stream';

function stateColor(state: string): string {
  if (state.startsWith('Connected')) return 'teal';
  if (state.startsWith('Ringing')) return 'yellow';
  if (state === 'On hold') return 'orange';
  if (state === 'Transferring') return 'grape';
  if (state === 'Conference') return 'cyan';
  if (state === 'Ended') return 'gray';
  return 'indigo';
}

function useNow(offset: number): number {
  const [now, setNow] = useState(() => Date.now() + offset);
  useEffect(() => {
    setNow(Date.now() + offset);
    const id = setInterval(() => setNow(Date.now() + offset), 1000);
    return () => clearInterval(id);
  }, [offset]);
  return now;
}

function Stat({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <Card withBorder padding="md">
      <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
        {label}
      </Text>
      <Text fz={28} fw={700} aria-label={`${label}: ${value}`}>
        {value}
      </Text>
      {hint && (
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      )}
    </Card>
  );
}

function CallTimeline({ call, now }: { call: LiveCall; now: number }) {
  return (
    <Paper withBorder p="md" aria-label={`Timeline of the call from ${call.caller}`} component="section">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h4">
          {call.caller} → {call.number}
        </Title>
        <Badge color={stateColor(call.state)}>{call.state}</Badge>
      </Group>
      <Text size="sm" c="dimmed" mb="md">
        {call.campaign ?? 'No campaign'} · {call.publisher ?? 'no publisher'} ·{' '}
        {elapsed(call.startedAt, call.endedAt ?? now)}
      </Text>
      {call.participants && (
        <Paper withBorder p="xs" mb="md" aria-label="Conference participants">
          <Title order={3} size="h6" mb={4}>
            Conference · {call.participants.length} on the call
          </Title>
          <Group gap="xs">
            {call.participants.map((p) => (
              <Badge key={p} variant="outline" color="cyan">
                {p}
              </Badge>
            ))}
          </Group>
        </Paper>
      )}
      <Title order={3} size="h6" mb="xs">
        Legs
      </Title>
      <Table mb="md" withRowBorders={false} verticalSpacing={4}>
        <Table.Tbody>
          {call.legs.map((l) => (
            <Table.Tr key={l.id}>
              <Table.Td>{l.direction === 'inbound' ? 'Caller' : 'Target'}</Table.Td>
              <Table.Td>{l.to}</Table.Td>
              <Table.Td>
                <Badge variant="light" color={l.status === 'answered' ? 'teal' : 'gray'}>
                  {l.status}
                </Badge>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Timeline bulletSize={14} lineWidth={2} active={call.timeline.length}>
        {call.timeline.map((t) => (
          <Timeline.Item key={t.seq} title={t.text}>
            <Text size="xs" c="dimmed">
              +{elapsed(call.startedAt, t.at)}
            </Text>
          </Timeline.Item>
        ))}
      </Timeline>
      {call.endedAt !== undefined && (
        <Text size="sm" mt="sm">
          <Link to={`/call-log/${call.uuid}`}>Open in the call log</Link>
        </Text>
      )}
    </Paper>
  );
}

export function LiveBoard() {
  const creds = useCreds();
  const [board, dispatch] = useReducer(reduceBoard, initialBoard);
  const [selected, setSelected] = useState<string | null>(null);
  useEffect(() => openLiveStream(creds, dispatch), [creds]);
  const now = useNow(board.offset);
  const rate =
    board.today.calls === 0 ? '—' : `${Math.round((board.today.connected / board.today.calls) * 100)}%`;
  const shown = [...board.calls, ...board.ended].find((c) => c.uuid === selected) ?? board.calls[0];

  return (
    <>
      <PageHeader
        title="Live"
        description="Calls in progress, as they happen."
        actions={
          <Badge
            size="lg"
            variant="dot"
            color={board.connected ? 'teal' : 'red'}
            role="status"
            aria-live="polite"
          >
            {board.connected ? 'Live' : 'Connecting…'}
          </Badge>
        }
      />
      <SimpleGrid cols={{ base: 1, xs: 3 }} mb="lg">
        <Stat label="Calls now" value={String(board.calls.length)} />
        <Stat label="Calls today" value={String(board.today.calls)} />
        <Stat label="Connected rate" value={rate} hint={`${board.today.connected} connected today`} />
      </SimpleGrid>
      <Grid>
        <Grid.Col span={{ base: 12, xl: shown ? 8 : 12 }}>
          <Paper withBorder>
            <Table.ScrollContainer minWidth={640}>
              <Table highlightOnHover verticalSpacing="sm" aria-label="Calls in progress">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Caller</Table.Th>
                    <Table.Th>Number</Table.Th>
                    <Table.Th>Campaign</Table.Th>
                    <Table.Th>Publisher</Table.Th>
                    <Table.Th>State</Table.Th>
                    <Table.Th ta="right">Elapsed</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {board.calls.map((c) => (
                    <Table.Tr
                      key={c.uuid}
                      data-call={c.uuid}
                      bg={shown?.uuid === c.uuid ? 'var(--mantine-color-indigo-0)' : undefined}
                    >
                      <Table.Td>
                        <button type="button" className="row-button" onClick={() => setSelected(c.uuid)}>
                          {c.caller}
                        </button>
                      </Table.Td>
                      <Table.Td>{c.number}</Table.Td>
                      <Table.Td>{c.campaign ?? '—'}</Table.Td>
                      <Table.Td>{c.publisher ?? '—'}</Table.Td>
                      <Table.Td>
                        <Badge color={stateColor(c.state)} variant="light">
                          {c.participants ? `${c.state} (${c.participants.length})` : c.state}
                        </Badge>
                      </Table.Td>
                      <Table.Td ta="right" ff="monospace">
                        {elapsed(c.startedAt, now)}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            {board.calls.length === 0 && (
              <Empty title="No calls right now">
                Calls show here the moment they arrive. Place one from the{' '}
                <Anchor component={Link} to="/test-phone">
                  Test phone
                </Anchor>
                .
              </Empty>
            )}
          </Paper>
          {board.ended.length > 0 && (
            <Paper withBorder mt="lg" p="md">
              <Title order={2} size="h5" mb="sm">
                Just ended
              </Title>
              {board.ended.map((c) => (
                <Group key={c.uuid} justify="space-between" py={4}>
                  <Group gap="xs">
                    <IconPhoneCall size={16} aria-hidden />
                    <button type="button" className="row-button" onClick={() => setSelected(c.uuid)}>
                      {c.caller}
                    </button>
                    <Text size="sm" c="dimmed">
                      {c.campaign ?? ''} · {c.outcome}
                    </Text>
                  </Group>
                  <Link to={`/call-log/${c.uuid}`}>Details</Link>
                </Group>
              ))}
            </Paper>
          )}
        </Grid.Col>
        {shown && (
          <Grid.Col span={{ base: 12, xl: 4 }}>
            <CallTimeline call={shown} now={now} />
          </Grid.Col>
        )}
      </Grid>
    </>
  );
}
