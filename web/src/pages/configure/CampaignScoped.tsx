import { Select, Text } from '@mantine/core';
import { useState } from 'react';
import { useAll } from '../../lib/hooks';
import { type ResourceDef, ResourcePage } from './ResourcePage';

/** Resources that belong to one campaign (postback keys, webhooks, conversion rules): pick it, then list. */
export function CampaignScoped({
  what,
  def,
}: {
  what: string;
  def: (campaign: any) => Omit<ResourceDef, 'scope'>;
}) {
  const campaigns = useAll<any>('/campaigns.json', 'campaign');
  const [id, setId] = useState<string | null>(null);
  const chosen = campaigns.data?.find((c) => String(c.id) === id) ?? campaigns.data?.[0];
  const picker = (
    <Select
      label="Campaign"
      w={320}
      data={(campaigns.data ?? []).map((c) => ({
        value: String(c.id),
        label: `${c.name ?? c.cid} (${c.cid})`,
      }))}
      value={chosen ? String(chosen.id) : null}
      onChange={setId}
      allowDeselect={false}
    />
  );
  if (!chosen)
    return (
      <Text c="dimmed" size="sm">
        {campaigns.isLoading
          ? 'Loading campaigns…'
          : `${what} belong to a campaign; create a campaign first.`}
      </Text>
    );
  return <ResourcePage key={chosen.id} def={{ ...def(chosen), scope: picker }} />;
}
