import { Group, Text } from '@mantine/core';

/** The mark and the name; in the app's header on a phone, the mark alone. */
export function Logo({ compact = false }: { compact?: boolean }) {
  return (
    <Group gap={8} wrap="nowrap">
      <svg width="26" height="26" viewBox="0 0 32 32" aria-hidden="true">
        <rect width="32" height="32" rx="7" fill="var(--mantine-color-indigo-6)" />
        <path d="M9 11h14M9 16h9M9 21h14" stroke="white" strokeWidth="3" strokeLinecap="round" />
      </svg>
      <Text fw={700} size="lg" visibleFrom={compact ? 'xs' : undefined}>
        Switchboard
      </Text>
    </Group>
  );
}
