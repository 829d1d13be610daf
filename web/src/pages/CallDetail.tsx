import { PageHeader } from '../components/Page';

export function CallDetail() {
  return <PageHeader title="CallDetail" />;
}
