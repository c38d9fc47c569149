import type { Migration } from './migration.js';

/**
 * Issue 15 review. `alert_events(incident_id, seq)`: a postmortem draft reads one incident's
 * entries (head and tail) without scanning the log. The provider-down index: the health figures'
 * outage query reads only provider-down alerts by fired time (it used to parse every alert ever).
 */
export const m0013HealthPmIndexes: Migration = {
  version: 13,
  name: 'health-postmortem-indexes',
  up: `
    CREATE INDEX alert_events_incident ON alert_events(incident_id, seq);
    CREATE INDEX alerts_rule_fired ON alerts(json_extract(json, '$.ruleId'), fired_at);
  `,
};
