import { PageHeader } from '../components/Page';

export function TestPhone() {
  return <PageHeader title="TestPhone" />;
}
