import { DAY_MS, type Clock } from '../../../shared/clock.js';
import type { EscalationConfig } from '../../../shared/escalation/schema.js';
import { computeHealth } from '../../../shared/health/compute.js';
import { isShiftEnd, pulseRefusal, pulseTrendFrom } from '../../../shared/health/pulse.js';
import { teamTimeZone } from '../../../shared/rotation/team-zone.js';
import { parseHealthRange } from '../../../shared/health/range.js';
import type { HealthAnswer } from '../../../shared/protocol/health.js';
import type { CommandFrame } from '../../../shared/protocol/stream.js';
import type { RotationConfig } from '../../../shared/rotation/schema.js';
import { HttpError } from '../http/http-error.js';
import type { CommandResult } from '../store/store.js';
import type { HealthStore } from './health-store.js';

export interface HealthSettings {
  escalation: EscalationConfig;
  /** The effective rotation (overrides made from desktops included). */
  readonly rotation: RotationConfig | undefined;
}

/** Answers kept (one per asked range: desktops in the same minute ask the same one). */
export const HEALTH_CACHE_ENTRIES = 8;
/**
 * A cached answer is reused at most this long even when nothing it is keyed by changed: traffic
 * (the SLO rollups) and open outages move without a health-log entry.
 */
export const HEALTH_CACHE_TTL_MS = 60_000;

interface CachedAnswer {
  stamp: string;
  rotation: RotationConfig | undefined;
  atMs: number;
  answer: HealthAnswer;
}

/**
 * On-call health on the collector (issue 15): answers `GET /v1/health` from the health copy of
 * the incident log, the rotation and the rollups (all pure in shared/health/), and stores
 * fatigue pulse answers (`pulse` commands). Old rows go after `health.keep`, checked at start
 * and at most daily on use (no timer of its own).
 */
export class HealthService {
  private prunedAt = -Infinity;
  /** By `from/to`, oldest first (a Map keeps insertion order: the first key is evicted). */
  private readonly cache = new Map<string, CachedAnswer>();
  /** Answers computed (not served from the cache): a figure for tests and diagnostics. */
  computed = 0;

  constructor(
    private readonly store: HealthStore,
    private readonly settings: HealthSettings,
    private readonly clock: Clock,
    private readonly keepMs: number,
  ) {
    this.pruneIfDue();
  }

  /** `GET /v1/health?from=ISO&to=ISO`; a 400 naming the field for a bad, missing, reversed or too wide range. */
  answer(params: URLSearchParams): HealthAnswer {
    const range = parseHealthRange(params);
    if (!range.ok) throw new HttpError(400, 'invalid_field', range.message, range.field);
    this.pruneIfDue();
    const { fromMs, toMs } = range;
    const nowMs = this.clock.now();
    // Desktops pull after incident changes; the same range asked again with no new health-log
    // entry, pulse or rotation change is answered from the cache (the collector has one thread).
    const key = `${fromMs}/${toMs}`;
    const stamp = this.store.stamp();
    const rotation = this.settings.rotation;
    const hit = this.cache.get(key);
    if (hit && hit.stamp === stamp && hit.rotation === rotation && nowMs - hit.atMs < HEALTH_CACHE_TTL_MS) {
      return hit.answer;
    }
    const answer = this.compute(fromMs, toMs, nowMs);
    this.cache.delete(key);
    this.cache.set(key, { stamp, rotation, atMs: nowMs, answer });
    if (this.cache.size > HEALTH_CACHE_ENTRIES) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    return answer;
  }

  private compute(fromMs: number, toMs: number, nowMs: number): HealthAnswer {
    this.computed++;
    // The pulse trend spans a year whatever the range: read its pulses and pages from there.
    const zone = teamTimeZone(this.settings.rotation, this.settings.escalation.businessHours);
    const readFromMs = Math.min(fromMs, pulseTrendFrom(toMs, zone));
    return computeHealth({
      fromMs,
      toMs,
      nowMs,
      escalation: this.settings.escalation,
      rotation: this.settings.rotation,
      entries: this.store.entries(readFromMs, toMs),
      pulses: this.store.pulses(readFromMs, toMs),
      buckets: this.store.buckets(fromMs, toMs),
      outages: this.store.outages(fromMs, toMs, nowMs),
    });
  }

  /** A `pulse` command: one answer per person and shift (a later one replaces it); a re-sent id is applied once. */
  pulse(cmd: CommandFrame, actor: string): CommandResult {
    const p = cmd.pulse;
    if (p === undefined) return { ok: false, error: 'pulse: a pulse command needs `pulse`' };
    const nowMs = this.clock.now();
    const shiftEndMs = Date.parse(p.shiftEnd);
    const refused = pulseRefusal(shiftEndMs, nowMs);
    if (refused !== undefined) return { ok: false, error: refused };
    const rotation = this.settings.rotation;
    if (!rotation) return { ok: false, error: 'pulse: the collector has no rotation configured' };
    if (!isShiftEnd(rotation, actor, shiftEndMs)) {
      return { ok: false, error: `pulse.shiftEnd: no shift of ${actor} ends at ${p.shiftEnd}` };
    }
    const comment = p.comment?.trim();
    this.store.putPulse({
      user: actor,
      shiftEndMs,
      score: p.score,
      comment: comment ? comment : undefined,
      commandId: cmd.id,
      answeredAtMs: nowMs,
    });
    return { ok: true };
  }

  private pruneIfDue(): void {
    const now = this.clock.now();
    if (now - this.prunedAt < DAY_MS) return;
    this.prunedAt = now;
    if (this.store.prune(now - this.keepMs) > 0) this.cache.clear();
  }

  close(): void {
    this.store.close();
  }
}
