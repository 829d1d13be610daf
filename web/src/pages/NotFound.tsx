import { Button, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';

export function NotFound() {
  return (
    <Stack align="flex-start">
      <Title order={1}>Page not found</Title>
      <Text>There is no page at this address.</Text>
      <Button component={Link} to="/">
        Go to the Live board
      </Button>
    </Stack>
  );
}
