import { Button, Center, Paper, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { Logo } from '../components/Logo';
import { ApiError, list } from '../lib/api';
import { useSession } from '../lib/session';

/** Sign-in with a Core API key: checked against /companies.json, then kept in sessionStorage. */
export function SignIn() {
  const { signIn } = useSession();
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const companies = await list<{ id: number }>(
        { key: key.trim(), companyId: null },
        '/companies.json',
        'company',
      );
      signIn(key.trim(), companies.items[0]?.id ?? null);
    } catch (err) {
      setError(
        err instanceof ApiError && err.status === 401 ? 'That key is not valid.' : (err as Error).message,
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <Center mih="100vh" bg="var(--mantine-color-gray-0)" p="md">
      <Paper component="main" withBorder shadow="sm" p="xl" w={420} maw="100%">
        <form onSubmit={submit}>
          <Stack>
            <Logo />
            <Title order={1} size="h3">
              Sign in
            </Title>
            <Text size="sm" c="dimmed">
              Use a Core API key: the one printed at the server's first start, or one made under API keys. It
              is kept in this tab only.
            </Text>
            {/* Password managers (and Chrome's form check) expect a user name beside a secret. */}
            <input type="text" name="username" autoComplete="username" value="api-key" readOnly hidden />
            <PasswordInput
              label="API key"
              required
              autoFocus
              autoComplete="current-password"
              value={key}
              onChange={(e) => setKey(e.currentTarget.value)}
              error={error}
            />
            <Button type="submit" loading={busy} disabled={!key.trim()}>
              Sign in
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
