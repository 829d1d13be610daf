import { Tabs } from '@mantine/core';
import { useNavigate, useParams } from 'react-router';
import { PageHeader } from '../components/Page';
import { CompanySettings, contacts, staticCallerNumbers } from './configure/account';
import { ConversionRules, PostbackKeys, Webhooks } from './configure/campaign-parts';
import { ResourcePage } from './configure/ResourcePage';
import * as r from './configure/resources';

const SECTIONS = [
  { key: 'campaigns', label: 'Campaigns', def: r.campaigns },
  { key: 'targets', label: 'Targets', def: r.targets },
  { key: 'target-groups', label: 'Target groups', def: r.targetGroups },
  { key: 'numbers', label: 'Numbers', def: r.numbers },
  { key: 'number-pools', label: 'Number pools', def: r.numberPools },
  { key: 'publishers', label: 'Publishers', def: r.publishers },
  { key: 'suppressed-numbers', label: 'Suppressed', def: r.suppressed },
  { key: 'static-caller-numbers', label: 'Static callers', def: staticCallerNumbers },
  { key: 'contacts', label: 'Contacts', def: contacts },
  { key: 'call-control-keys', label: 'Call-control keys', def: r.callControlKeys },
  { key: 'conversion-rules', label: 'Conversion rules', def: null, page: ConversionRules },
  { key: 'webhooks', label: 'Webhooks', def: null, page: Webhooks },
  { key: 'postback-keys', label: 'Postback keys', def: null, page: PostbackKeys },
  { key: 'tags', label: 'Tags', def: r.tags },
  { key: 'users', label: 'Users', def: r.users },
  { key: 'api-keys', label: 'API keys', def: r.apiKeys },
  { key: 'ringcentral-apps', label: 'RingCentral apps', def: r.oauthApps },
  { key: 'ccai-keys', label: 'CCAI keys', def: r.ccaiKeys },
  { key: 'company', label: 'Company', def: null, page: CompanySettings },
];

export function Configure() {
  const { resource = 'campaigns' } = useParams();
  const navigate = useNavigate();
  const section = SECTIONS.find((s) => s.key === resource) ?? SECTIONS[0];
  return (
    <>
      <PageHeader title="Configure" description="Campaigns, buyers, numbers, publishers, people and keys." />
      <Tabs value={section.key} onChange={(v) => v && navigate(`/configure/${v}`)} keepMounted={false}>
        <Tabs.List mb="md">
          {SECTIONS.map((s) => (
            <Tabs.Tab key={s.key} value={s.key}>
              {s.label}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        {SECTIONS.map((s) => (
          <Tabs.Panel key={s.key} value={s.key}>
            {s.def ? <ResourcePage key={s.key} def={s.def} /> : s.page ? <s.page /> : null}
          </Tabs.Panel>
        ))}
      </Tabs>
    </>
  );
}
