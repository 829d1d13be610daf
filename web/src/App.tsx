import { Anchor, AppShell, Burger, Button, Group, NavLink, Select, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import {
  IconActivity,
  IconAdjustmentsHorizontal,
  IconChartBar,
  IconDialpad,
  IconListDetails,
  IconLogout,
} from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { Link, Route, Routes, useLocation } from 'react-router';
import { Logo } from './components/Logo';
import { list } from './lib/api';
import { useSession } from './lib/session';
import { CallDetail } from './pages/CallDetail';
import { CallLog } from './pages/CallLog';
import { Configure } from './pages/Configure';
import { LiveBoard } from './pages/LiveBoard';
import { NotFound } from './pages/NotFound';
import { Reports } from './pages/Reports';
import { SignIn } from './pages/SignIn';
import { TestPhone } from './pages/TestPhone';

const MENU = [
  { to: '/', label: 'Live', icon: IconActivity },
  { to: '/configure', label: 'Configure', icon: IconAdjustmentsHorizontal },
  { to: '/call-log', label: 'Call log', icon: IconListDetails },
  { to: '/test-phone', label: 'Test phone', icon: IconDialpad },
  { to: '/reports', label: 'Reports', icon: IconChartBar },
];

interface Company {
  id: number;
  name: string;
}

function CompanySwitcher() {
  const { creds, setCompany } = useSession();
  const companies = useQuery({
    queryKey: ['companies', creds?.key],
    queryFn: () => list<Company>({ key: creds!.key, companyId: null }, '/companies.json', 'company'),
    enabled: !!creds,
  });
  const items = companies.data?.items ?? [];
  if (items.length < 2)
    return items[0] ? (
      <Text size="sm" c="dimmed" visibleFrom="sm">
        {items[0].name}
      </Text>
    ) : null;
  return (
    <Select
      aria-label="Company"
      size="xs"
      w={{ base: 130, sm: 200 }}
      allowDeselect={false}
      data={items.map((c) => ({ value: String(c.id), label: c.name }))}
      value={
        creds?.companyId !== null && creds?.companyId !== undefined
          ? String(creds.companyId)
          : String(items[0].id)
      }
      onChange={(v) => v && setCompany(Number(v))}
    />
  );
}

export function App() {
  const { creds, signOut } = useSession();
  const [opened, { toggle, close }] = useDisclosure();
  const { pathname } = useLocation();
  // A phone's menu closes once a page is chosen.
  useEffect(() => {
    if (pathname) close();
  }, [pathname, close]);
  if (!creds) return <SignIn />;
  const active = (to: string) => (to === '/' ? pathname === '/' : pathname.startsWith(to));
  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="lg"
    >
      <Anchor href="#main" className="skip-link">
        Skip to content
      </Anchor>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Toggle menu" />
            <Logo compact />
          </Group>
          <Group gap="sm" wrap="nowrap">
            <CompanySwitcher />
            <Button
              variant="subtle"
              color="gray"
              size="xs"
              leftSection={<IconLogout size={16} />}
              onClick={signOut}
              aria-label="Sign out"
            >
              <Text span size="xs" fw={600} visibleFrom="xs">
                Sign out
              </Text>
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="sm" aria-label="Main menu" component="nav">
        {MENU.map((m) => (
          <NavLink
            key={m.to}
            component={Link}
            to={m.to}
            label={m.label}
            active={active(m.to)}
            aria-current={active(m.to) ? 'page' : undefined}
            leftSection={<m.icon size={18} stroke={1.6} />}
            variant="filled"
            mb={4}
            style={{ borderRadius: 8 }}
          />
        ))}
        <Text size="xs" c="dimmed" mt="auto" px="xs">
          API:{' '}
          <Anchor href="/docs" size="xs">
            /docs
          </Anchor>
        </Text>
      </AppShell.Navbar>
      <AppShell.Main id="main" tabIndex={-1} bg="var(--mantine-color-gray-0)">
        <Routes>
          <Route path="/" element={<LiveBoard />} />
          <Route path="/configure" element={<Configure />} />
          <Route path="/configure/:resource" element={<Configure />} />
          <Route path="/call-log" element={<CallLog />} />
          <Route path="/call-log/:uuid" element={<CallDetail />} />
          <Route path="/test-phone" element={<TestPhone />} />
          <Route path="/reports" element={<Reports />} />
          <Route path="*" element={<NotFound />} />
        </Routes>
      </AppShell.Main>
    </AppShell>
  );
}
