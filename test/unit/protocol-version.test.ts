import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import * as protocol from '../../shared/protocol/index.js';

/**
 * The wire has a version. This hashes every zod schema in shared/protocol; when a schema
 * changes shape the hash moves, and this test fails until PROTOCOL_VERSION is bumped and the
 * pinned hash below is updated together with it.
 */
const PINNED: Record<number, string> = {
  1: '86f68e1bd19a45cc',
  2: 'b39d33ea1bf35238',
  3: '6d2c51c5a6871f32',
  // 4 (issue 11): bounded event/eval numbers and times, webhook field bounds, new error codes, paged
  // snapshots, Stats.lastEventTs, bounded series answers, UserName on overrides, SyncStatus.refusal.
  4: '51863b57206577b9',
  // 5 (issue 12): incidents (frames, snapshot pages, Api methods), silences, Alert.incidentId /
  // inhibitedBy / silencedBy, escalation per incident, commands naming their target, alarm per incident;
  // (issue 14) remove-override commands, swap ids, rotation.ics / changes / removeOverride Api methods;
  // (issue 17) SeriesSourceInfo (GET /v1/series/source); chart rules and reference lines on series answers.
  5: '169542a33523d213',
  // 6 (issue 15, health): GET /v1/health answer (HealthAnswer), `pulse` commands (PulseRequest),
  // health.* Api methods (CachedHealth, PulsePrompt) and the health-changed push.
  // (issue 15, pm) postmortem-draft / postmortem-edit / action-item / review-mark commands, the
  // `postmortems` frame and `postmortems-changed` push, postmortems.* / actionItems.list / review.* Api methods.
  // (issue 16) settings.get / update / testNotification and demo.get / setScenario Api methods, the
  // settings-changed push.
  // (issue 15 review) PulseQuarter.comments (optional): the latest pulse comments per quarter.
  6: '69f7ed884f89eeba',
};

function schemaFingerprint(): string {
  const exported: Record<string, unknown> = { ...protocol };
  const entries = Object.entries(exported)
    .filter((entry): entry is [string, z.ZodType] => entry[1] instanceof z.ZodType)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, schema]) => [name, z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' })]);
  return createHash('sha256').update(JSON.stringify(entries)).digest('hex').slice(0, 16);
}

describe('protocol version', () => {
  it('moves with the schemas', () => {
    const fingerprint = schemaFingerprint();
    expect(
      PINNED[protocol.PROTOCOL_VERSION],
      `shared/protocol changed shape (fingerprint ${fingerprint}): bump PROTOCOL_VERSION and pin the new fingerprint`,
    ).toBe(fingerprint);
  });

  it('covers the frames and bodies that cross boundaries', () => {
    for (const name of [
      'LlmEvent',
      'Alert',
      'ClientFrame',
      'ServerFrame',
      'ApiCall',
      'ApiPush',
      'BridgeMessage',
      'ApiError',
    ]) {
      expect(protocol).toHaveProperty(name);
    }
  });
});
