import { PageHeader } from '../components/Page';

export function Configure() {
  return <PageHeader title="Configure" />;
}
