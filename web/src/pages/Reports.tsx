import { PageHeader } from '../components/Page';

export function Reports() {
  return <PageHeader title="Reports" />;
}
