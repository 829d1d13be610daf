import { PageHeader } from '../components/Page';

export function CallLog() {
  return <PageHeader title="CallLog" />;
}
