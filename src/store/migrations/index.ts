import type { Migration, MigrationProvider } from 'kysely';
import { coreMigration } from './0001_core.js';
import { callsMigration } from './0002_calls.js';
import { firedPixelsMigration } from './0003_fired_pixels.js';
import { deliveryMigration } from './0004_delivery.js';
import { callsIndexesMigration } from './0005_calls_indexes.js';
import { conversionRulesMigration } from './0006_conversion_rules.js';
import { rtbMigration } from './0007_rtb.js';
import { callControlMigration } from './0008_call_control.js';
import { webhooksMigration } from './0009_webhooks.js';
import { dynamicBuyersMigration } from './0010_dynamic_buyers.js';
import { processOwnershipMigration } from './0011_process_ownership.js';
import { apiKeysMigration } from './0020_api_keys.js';
import { postbackKeyOptionsMigration } from './0040_postback_key_options.js';
import { callFlowEventsMigration } from './0041_call_flow_events.js';
import { reportsMigration } from './0050_reports.js';
import { reportChangesHourMigration } from './0051_report_changes_hour.js';
import { reportRollupsClusteredMigration } from './0052_report_rollups_clustered.js';
import { reportInsertStatementTriggerMigration } from './0053_report_insert_statement_trigger.js';
import { reportBlocksMigration } from './0054_report_blocks.js';
import { peopleMigration } from './0060_people.js';
import { rcSubscriptionsMigration } from './0061_rc_subscriptions.js';
import { rcSessionsMigration } from './0062_rc_sessions.js';
import { callCountsMigration } from './0070_call_counts.js';
import { configChangesMigration } from './0071_config_changes.js';
import { accountChangesMigration } from './0072_account_changes.js';
import { numbersPoolOrderMigration } from './0075_numbers_pool_order.js';
import { ccaiMigration } from './0090_ccai.js';
import { holdsCcaiTransfersMigration } from './0091_holds_ccai_transfers.js';
import { columnKit, type Dialect } from './kit.js';

/** Migrations are code, listed here in order; names never change once released. */
export function migrationProvider(dialect: Dialect): MigrationProvider {
  const kit = columnKit(dialect);
  return {
    async getMigrations(): Promise<Record<string, Migration>> {
      return {
        '0001_core': coreMigration(kit),
        '0002_calls': callsMigration(kit),
        '0003_fired_pixels': firedPixelsMigration(kit),
        '0004_delivery': deliveryMigration(kit),
        '0005_calls_indexes': callsIndexesMigration(dialect),
        '0006_conversion_rules': conversionRulesMigration(kit),
        '0007_rtb': rtbMigration(kit),
        '0008_call_control': callControlMigration(kit),
        '0009_webhooks': webhooksMigration(kit),
        '0010_dynamic_buyers': dynamicBuyersMigration(),
        '0011_process_ownership': processOwnershipMigration(),
        '0020_api_keys': apiKeysMigration(kit),
        '0040_postback_key_options': postbackKeyOptionsMigration(kit),
        '0041_call_flow_events': callFlowEventsMigration(kit),
        '0050_reports': reportsMigration(dialect),
        '0051_report_changes_hour': reportChangesHourMigration(),
        '0052_report_rollups_clustered': reportRollupsClusteredMigration(dialect),
        '0053_report_insert_statement_trigger': reportInsertStatementTriggerMigration(dialect),
        '0054_report_blocks': reportBlocksMigration(dialect),
        '0060_people': peopleMigration(kit),
        '0061_rc_subscriptions': rcSubscriptionsMigration(),
        '0062_rc_sessions': rcSessionsMigration(),
        '0070_call_counts': callCountsMigration(dialect),
        '0071_config_changes': configChangesMigration(dialect),
        '0072_account_changes': accountChangesMigration(dialect),
        '0075_numbers_pool_order': numbersPoolOrderMigration(),
        '0090_ccai': ccaiMigration(kit),
        '0091_holds_ccai_transfers': holdsCcaiTransfersMigration(kit),
      };
    },
  };
}
