import {
  Anchor,
  Badge,
  Breadcrumbs,
  Card,
  Code,
  Grid,
  Group,
  Paper,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Timeline,
  Title,
} from '@mantine/core';
import { Link, useParams } from 'react-router';
import { Empty, ErrorState, Loading, PageHeader } from '../components/Page';
import { RecordingPlayer } from '../components/RecordingPlayer';
import { useGet } from '../lib/hooks';
import { seconds, statusColor } from './CallLog';

const time = (t: string | null | undefined) => (t ? new Date(t).toLocaleTimeString() : '—');

function Fact({ label, value }: { label: string; value: React.ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
        {label}
      </Text>
      <Text size="sm">{value}</Text>
    </div>
  );
}

function Section({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <Paper withBorder p="md" component="section" aria-label={title}>
      <Title order={2} size="h5" mb="sm">
        {title}
      </Title>
      {children}
    </Paper>
  );
}

const FLOW_TEXT: Record<string, (d: any) => string> = {
  started: (d) => `Call from ${d.caller} to ${d.number}`,
  screened: () => 'Screened (not suppressed)',
  suppressed: (d) => `Suppressed caller: ${d.status}`,
  static_caller: (d) => `Static caller id: sent as ${d.caller_number_sent}`,
  key_pressed: (d) => `Pressed ${d.digit}`,
  pixel: (d) => `Pixel ${d.status}${d.timer_seconds !== undefined ? ` (${d.timer_seconds} s timer)` : ''}`,
  webhook: (d) => `Webhook ${d.name ?? ''} ${d.status}`,
  first_leg_answered: (d) => `${d.to} answered the placed call`,
  greeting_played: () => 'Greeting played',
  menu_choice: () => 'Menu finished',
  campaign_chained: (d) => `Sent to campaign ${d.cid}`,
  routing_decision: (d) =>
    `Routing: ${(d.considered ?? []).filter((c: any) => c.eligible).length} of ${(d.considered ?? []).length} eligible`,
  dialled: (d) => `Dialled ${d.to}`,
  ringing: (d) => `${d.to} ringing`,
  answered: (d) => `${d.to} answered`,
  busy: (d) => `${d.to} busy`,
  no_answer: (d) => `${d.to} did not answer`,
  failed: (d) => `${d.to} failed (${d.status})`,
  cancelled: (d) => `${d.to} cancelled`,
  connected: () => 'Connected',
  returned: () => 'Returned',
  transferred: () => 'Transferred',
  accepted: () => 'Accepted',
  held: () => 'Caller on hold',
  conference: (d) => `Conference (${d.parties} parties)`,
  bridged: (d) => `Caller with ${d.with}`,
  muted: (d) => `${d.to} muted`,
  unmuted: (d) => `${d.to} unmuted`,
  recording_started: () => 'Recording started',
  recording_paused: () => 'Recording paused',
  recording_resumed: () => 'Recording resumed',
  recording_stopped: () => 'Recording stopped',
  leg_ended: (d) => `${d.to} hung up`,
  conversion_decided: (d) => (d.converted ? `Converted (revenue ${d.revenue ?? 0})` : 'Not converted'),
  ended: (d) =>
    `Ended: ${d.status}${d.hung_up_by ? `, hung up by ${d.hung_up_by}` : ''}${d.reason ? ` (${d.reason})` : ''}`,
};

/** One call: its facts, legs, transfers, keys, tags, journey, and what was fired for it. */
export function CallDetail() {
  const { uuid = '' } = useParams();
  const call = useGet<any>(`/api/v3/calls/${encodeURIComponent(uuid)}.json?call_flow_events=true`);
  const c = call.data?.call;
  const recording = c?.recording_url as string | undefined;
  const crumbs = (
    <Breadcrumbs mb="sm">
      <Anchor component={Link} to="/call-log">
        Call log
      </Anchor>
      <Text size="sm">{uuid.slice(0, 8)}</Text>
    </Breadcrumbs>
  );
  if (call.isLoading)
    return (
      <>
        {crumbs}
        <Loading label="Loading the call" />
      </>
    );
  if (call.error || !c)
    return (
      <>
        {crumbs}
        <ErrorState error={call.error ?? new Error('No such call')} />
      </>
    );
  const legs = (c.legs ?? []).map((l: any) => l.leg);
  const pixels = (c.fired_pixels ?? []).map((p: any) => p.fired_pixel);
  const tags = Object.entries(c.tags ?? {});
  return (
    <>
      {crumbs}
      <PageHeader
        title={`Call from ${c.caller}`}
        description={`${new Date(c.start_time).toLocaleString()} · ${c.uuid}`}
        actions={
          <Group gap="xs">
            <Badge size="lg" color={statusColor(c.status)}>
              {c.status}
            </Badge>
            {c.connected && (
              <Badge size="lg" color="teal" variant="light">
                connected
              </Badge>
            )}
            {c.converted && (
              <Badge size="lg" color="grape" variant="light">
                converted
              </Badge>
            )}
          </Group>
        }
      />
      <Card withBorder mb="md">
        <SimpleGrid cols={{ base: 2, sm: 4 }}>
          <Fact label="Number" value={c.number} />
          <Fact label="Campaign" value={c.campaign_name ?? c.cid ?? '—'} />
          <Fact label="Publisher" value={c.affiliate_name ?? c.afid ?? '—'} />
          <Fact
            label="Target"
            value={c.target_name ? `${c.target_name} (${c.dialed_number})` : (c.dialed_number ?? '—')}
          />
          <Fact label="Duration" value={seconds(c.total_duration)} />
          <Fact label="Talk time" value={seconds(c.dialed_call_duration)} />
          <Fact label="Hung up by" value={c.hung_up_by ?? '—'} />
          <Fact label="Revenue / payout" value={`${c.revenue ?? 0} / ${c.payout ?? 0}`} />
        </SimpleGrid>
      </Card>
      <Grid>
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Stack>
            <Section title="Legs">
              <Table.ScrollContainer minWidth={600}>
                <Table verticalSpacing="xs" aria-label="Legs">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Leg</Table.Th>
                      <Table.Th>To</Table.Th>
                      <Table.Th>Status</Table.Th>
                      <Table.Th>Started</Table.Th>
                      <Table.Th>Answered</Table.Th>
                      <Table.Th>Ended</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {legs.map((l: any) => (
                      <Table.Tr key={l.id}>
                        <Table.Td>{l.direction === 'inbound' ? 'Caller' : 'Target'}</Table.Td>
                        <Table.Td>{l.to}</Table.Td>
                        <Table.Td>
                          <Badge
                            variant="light"
                            color={l.answered_at ? 'teal' : 'gray'}
                            style={{ overflow: 'visible' }}
                          >
                            {l.answered_at ? 'answered' : l.status}
                          </Badge>
                          {l.end_reason && (
                            <Text size="xs" c="dimmed">
                              {l.end_reason}
                            </Text>
                          )}
                        </Table.Td>
                        <Table.Td>{time(l.started_at)}</Table.Td>
                        <Table.Td>{time(l.answered_at)}</Table.Td>
                        <Table.Td>{time(l.ended_at)}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            </Section>
            <Section title="Pixels and webhooks">
              {pixels.length === 0 ? (
                <Empty title="Nothing fired">This call fired no pixel or webhook.</Empty>
              ) : (
                <Table.ScrollContainer minWidth={520}>
                  <Table verticalSpacing="xs" aria-label="Pixels and webhooks">
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th>Kind</Table.Th>
                        <Table.Th>URL</Table.Th>
                        <Table.Th>Delivery</Table.Th>
                        <Table.Th>Fired</Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {pixels.map((p: any) => (
                        <Table.Tr key={`${p.batch_uuid}-${p.fire_order}-${p.url}`}>
                          <Table.Td>{p.webhook_name ? `Webhook ${p.webhook_name}` : 'Pixel'}</Table.Td>
                          <Table.Td>
                            <Code style={{ wordBreak: 'break-all' }}>{p.url}</Code>
                          </Table.Td>
                          <Table.Td>
                            <Badge
                              color={p.status === 'fired' ? 'teal' : p.status === 'failed' ? 'red' : 'yellow'}
                              variant="light"
                            >
                              {p.status}
                            </Badge>
                          </Table.Td>
                          <Table.Td>{time(p.fired_at)}</Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </Table.ScrollContainer>
              )}
            </Section>
            {(c.transfers ?? []).length > 0 && (
              <Section title="Transfers">
                <Table verticalSpacing="xs" aria-label="Transfers">
                  <Table.Tbody>
                    {c.transfers.map((t: any) => {
                      const x = t.transfer ?? t;
                      return (
                        <Table.Tr key={x.uuid}>
                          <Table.Td>{x.mode ?? x.type ?? 'transfer'}</Table.Td>
                          <Table.Td>{x.number ?? x.target_number}</Table.Td>
                          <Table.Td>
                            <Badge variant="light">{x.status}</Badge>
                          </Table.Td>
                        </Table.Tr>
                      );
                    })}
                  </Table.Tbody>
                </Table>
              </Section>
            )}
            {recording && (
              <Section title="Recording">
                <RecordingPlayer url={recording} />
              </Section>
            )}
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Stack>
            <Section title="Keys pressed and tags">
              <Group gap={6} mb="xs">
                <Text size="sm" fw={600}>
                  Keys:
                </Text>
                {(c.keys_pressed ?? []).length ? (
                  c.keys_pressed.map((k: string, i: number) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: the same key may be pressed twice
                    <Badge key={i} variant="outline">
                      {k}
                    </Badge>
                  ))
                ) : (
                  <Text size="sm" c="dimmed">
                    none
                  </Text>
                )}
              </Group>
              <Group gap={6}>
                <Text size="sm" fw={600}>
                  Tags:
                </Text>
                {tags.length ? (
                  tags.map(([k, v]) => (
                    <Badge key={k} variant="light" color="gray" tt="none">
                      {k}: {String(v)}
                    </Badge>
                  ))
                ) : (
                  <Text size="sm" c="dimmed">
                    none
                  </Text>
                )}
              </Group>
            </Section>
            <Section title="Journey">
              <Timeline bulletSize={12} lineWidth={2} active={(c.call_flow_events ?? []).length}>
                {(c.call_flow_events ?? []).map((e: any, i: number) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: events are append-only and never reorder
                  <Timeline.Item key={i} title={(FLOW_TEXT[e.type] ?? (() => e.type))(e.details ?? {})}>
                    <Text size="xs" c="dimmed">
                      {time(e.at)}
                    </Text>
                  </Timeline.Item>
                ))}
              </Timeline>
            </Section>
          </Stack>
        </Grid.Col>
      </Grid>
    </>
  );
}
