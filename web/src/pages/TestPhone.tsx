import {
  Alert,
  Badge,
  Button,
  Grid,
  Group,
  NumberInput,
  Paper,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { IconPhone, IconPhoneOff } from '@tabler/icons-react';
import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { PageHeader } from '../components/Page';
import { ApiError, request } from '../lib/api';
import { useAll } from '../lib/hooks';
import { useCreds } from '../lib/session';
import { openLiveStream } from '../live/stream';

interface SimCall {
  id: string;
  call_uuid: string | null;
  state: string;
  hearing: {
    kind: string;
    text?: string;
    name?: string;
    party?: string | null;
    parties?: string[];
    music?: string;
  };
  legs: {
    id: string;
    direction: string;
    to: string;
    state: string;
    answered_at: string | null;
    end_reason: string | null;
  }[];
}

/** What the caller hears, in words. */
export function hearingText(h: SimCall['hearing']): string {
  switch (h.kind) {
    case 'prompt':
      return `“${h.text}”`;
    case 'audio':
      return `Audio: ${h.name}`;
    case 'hold':
      return `Hold music${h.music ? ` (${h.music})` : ''}`;
    case 'connected':
      return `Talking with ${h.party ?? 'the target'}`;
    case 'conference':
      return `Conference with ${(h.parties ?? []).join(', ')}`;
    case 'ringing':
      return 'Ringing…';
    case 'ended':
      return 'The call has ended';
    default:
      return 'Silence';
  }
}

const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'];

function Phone() {
  const creds = useCreds();
  const numbers = useAll<any>('/numbers.json', 'number');
  const [from, setFrom] = useState('+13015550000');
  const [to, setTo] = useState<string | null>(null);
  const [call, setCall] = useState<SimCall | null>(null);
  const [heard, setHeard] = useState<string[]>([]);
  /** How the call ended, as the engine says it (who hung up, and why when it says more). */
  const [outcome, setOutcome] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const callRef = useRef<SimCall | null>(null);
  callRef.current = call;
  const target = to ?? numbers.data?.[0]?.number ?? null;

  const show = useCallback((next: SimCall) => {
    setCall(next);
    const line = hearingText(next.hearing);
    setHeard((h) => (h[h.length - 1] === line ? h : [...h, line]));
  }, []);
  const refresh = useCallback(async () => {
    const c = callRef.current;
    if (!c) return;
    try {
      show((await request<SimCall>(creds, 'GET', `/sim/calls/${c.id}`)).body);
    } catch {
      // the next event tries again
    }
  }, [creds, show]);

  // What the caller hears changes with the call's events: read the call again on each (no polling).
  useEffect(
    () =>
      openLiveStream(creds, (m) => {
        if (m.event !== 'event' || m.data.callUuid !== callRef.current?.call_uuid) return;
        const ev = m.data;
        if (ev.type === 'call.ended')
          setOutcome(
            `${ev.status}${ev.hungUpBy ? `, hung up by ${ev.hungUpBy}` : ''}${ev.reason ? ` (${ev.reason})` : ''}`,
          );
        void refresh();
      }),
    [creds, refresh],
  );

  const act = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (err) {
      setError(
        err instanceof ApiError && Object.keys(err.fields).length
          ? Object.entries(err.fields)
              .map(([k, v]) => `${k} ${v.join(', ')}`)
              .join('; ')
          : (err as Error).message,
      );
    } finally {
      setBusy(false);
    }
  };
  const place = (e: FormEvent) => {
    e.preventDefault();
    void act(async () => {
      setHeard([]);
      setOutcome(null);
      const placed = (
        await request<{ id: string }>(creds, 'POST', '/sim/calls', { body: { from, to: target } })
      ).body;
      show((await request<SimCall>(creds, 'GET', `/sim/calls/${placed.id}`)).body);
    });
  };
  const press = (digit: string) =>
    act(async () => {
      if (!call) return;
      setHeard((h) => [...h, `(you pressed ${digit})`]);
      show(
        (await request<SimCall>(creds, 'POST', `/sim/calls/${call.id}/digits`, { body: { digits: digit } }))
          .body,
      );
    });
  const hangup = () =>
    act(async () => {
      if (!call) return;
      show((await request<SimCall>(creds, 'POST', `/sim/calls/${call.id}/hangup`)).body);
    });
  const live = call !== null && call.hearing.kind !== 'ended';
  const outbound = call?.legs.filter((l) => l.direction === 'outbound') ?? [];

  return (
    <Paper withBorder p="lg" component="section" aria-label="Phone">
      <Title order={2} size="h4" mb="md">
        Place a test call
      </Title>
      <form onSubmit={place}>
        <SimpleGrid cols={{ base: 1, xs: 2 }} mb="md">
          <TextInput
            label="Caller (virtual phone)"
            value={from}
            onChange={(e) => setFrom(e.currentTarget.value)}
            disabled={live}
          />
          <Select
            label="Dial a company number"
            data={(numbers.data ?? []).map((n) => ({ value: n.number, label: `${n.number} · ${n.cid}` }))}
            value={target}
            onChange={setTo}
            disabled={live}
            allowDeselect={false}
            nothingFoundMessage="No numbers yet"
          />
        </SimpleGrid>
        {numbers.data && numbers.data.length === 0 && (
          <Alert color="yellow" mb="md">
            The company has no tracking numbers yet. <Link to="/configure/numbers">Create one</Link> first.
          </Alert>
        )}
        <Paper
          bg="var(--mantine-color-dark-7)"
          c="white"
          p="md"
          mb="md"
          radius="md"
          aria-live="polite"
          aria-label="What the caller hears"
        >
          <Group justify="space-between" mb={6}>
            <Text size="xs" tt="uppercase" fw={700} c="gray.5">
              The caller hears
            </Text>
            {call && (
              <Badge color={live ? 'teal' : 'gray'} variant="filled">
                {live ? 'On the call' : 'Ended'}
              </Badge>
            )}
          </Group>
          <Text size="lg" fw={500} data-testid="hearing">
            {call ? hearingText(call.hearing) : 'Press Call to dial.'}
          </Text>
          {outcome && call?.hearing.kind === 'ended' && (
            <Text size="sm" c="gray.4" data-testid="outcome">
              Ended: {outcome}
            </Text>
          )}
        </Paper>
        <SimpleGrid
          cols={3}
          spacing="xs"
          className="keypad"
          mb="md"
          maw={320}
          mx="auto"
          role="group"
          aria-label="Keypad"
        >
          {KEYS.map((k) => (
            <Button
              key={k}
              variant="default"
              onClick={() => press(k)}
              disabled={!live || busy}
              aria-label={`Key ${k}`}
            >
              {k}
            </Button>
          ))}
        </SimpleGrid>
        <Group justify="center">
          {live ? (
            <Button
              color="red"
              leftSection={<IconPhoneOff size={18} />}
              onClick={hangup}
              loading={busy}
              size="md"
            >
              Hang up
            </Button>
          ) : (
            <Button
              type="submit"
              color="teal"
              leftSection={<IconPhone size={18} />}
              loading={busy}
              disabled={!target}
              size="md"
            >
              Call
            </Button>
          )}
        </Group>
      </form>
      {error && (
        <Alert color="red" mt="md" role="alert">
          {error}
        </Alert>
      )}
      {call && (
        <Stack mt="lg" gap="xs">
          <Title order={3} size="h6">
            Where the call went
          </Title>
          {outbound.length === 0 ? (
            <Text size="sm" c="dimmed">
              Not sent to a target yet.
            </Text>
          ) : (
            <Table verticalSpacing={4} aria-label="Where the call went">
              <Table.Tbody>
                {outbound.map((l) => (
                  <Table.Tr key={l.id}>
                    <Table.Td>{l.to}</Table.Td>
                    <Table.Td>
                      <Badge variant="light" color={l.answered_at ? 'teal' : 'gray'}>
                        {l.end_reason ?? l.state}
                      </Badge>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
          <Title order={3} size="h6" mt="sm">
            Heard so far
          </Title>
          <Stack gap={2}>
            {heard.map((h, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: an append-only transcript
              <Text key={i} size="sm" c="dimmed">
                {h}
              </Text>
            ))}
          </Stack>
          {call.call_uuid && !live && (
            <Text size="sm">
              <Link to={`/call-log/${call.call_uuid}`}>Open this call in the call log</Link>
            </Text>
          )}
        </Stack>
      )}
    </Paper>
  );
}

type Mode = 'answer' | 'busy' | 'no_answer' | 'reject';

function VirtualPhones() {
  const creds = useCreds();
  const targets = useAll<any>('/targets.json', 'target');
  const [number, setNumber] = useState<string | null>(null);
  const [mode, setMode] = useState<Mode>('answer');
  const [answerAfter, setAnswerAfter] = useState<number | string>(2);
  const [hangupAfter, setHangupAfter] = useState<number | string>('');
  const [saved, setSaved] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const chosen = number ?? targets.data?.[0]?.number ?? null;
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(null);
    setError(null);
    const body: Record<string, unknown> = { number: chosen };
    if (mode === 'answer') {
      body.answer_after_s = Number(answerAfter || 0);
      // Left out when empty: the API coerces an explicit null to 0 (hang up at once).
      if (hangupAfter !== '') body.hangup_after_s = Number(hangupAfter);
    } else body[mode] = true;
    try {
      await request(creds, 'POST', '/sim/endpoints', { body });
      setSaved(
        `${chosen} will ${mode === 'answer' ? `answer after ${body.answer_after_s} s` : mode.replace('_', ' ')}.`,
      );
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <Paper withBorder p="lg" component="section" aria-label="Virtual phones">
      <Title order={2} size="h4" mb={4}>
        Target phones
      </Title>
      <Text size="sm" c="dimmed" mb="md">
        How a target's virtual phone behaves when a test call rings it.
      </Text>
      <form onSubmit={save}>
        <Stack>
          <Select
            label="Target"
            data={(targets.data ?? []).map((t) => ({
              value: t.number,
              label: `${t.name ?? t.number} · ${t.number}`,
            }))}
            value={chosen}
            onChange={setNumber}
            allowDeselect={false}
            searchable
          />
          <div>
            <Text size="sm" fw={500} mb={4} id="behaviour-label">
              Behaviour
            </Text>
            <SegmentedControl
              aria-labelledby="behaviour-label"
              fullWidth
              value={mode}
              onChange={(v) => setMode(v as Mode)}
              data={[
                { value: 'answer', label: 'Answers' },
                { value: 'busy', label: 'Busy' },
                { value: 'no_answer', label: 'No answer' },
                { value: 'reject', label: 'Rejects' },
              ]}
            />
          </div>
          {mode === 'answer' && (
            <SimpleGrid cols={2}>
              <NumberInput label="Answers after (s)" min={0} value={answerAfter} onChange={setAnswerAfter} />
              <NumberInput
                label="Hangs up after (s)"
                description="Empty: stays on"
                min={0}
                value={hangupAfter}
                onChange={setHangupAfter}
              />
            </SimpleGrid>
          )}
          <Button type="submit" disabled={!chosen}>
            Save behaviour
          </Button>
          {saved && (
            <Alert color="teal" role="status">
              {saved}
            </Alert>
          )}
          {error && (
            <Alert color="red" role="alert">
              {error}
            </Alert>
          )}
        </Stack>
      </form>
    </Paper>
  );
}

export function TestPhone() {
  return (
    <>
      <PageHeader
        title="Test phone"
        description="Call your own numbers on the simulated network and hear what callers hear."
      />
      <Grid>
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Phone />
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <VirtualPhones />
        </Grid.Col>
      </Grid>
    </>
  );
}
