import { z } from 'zod';
import { MIN_TOKEN_LENGTH } from '../config/token.js';
import { SCENARIO_NAMES } from '../sim/scenarios.js';
import { UserName } from './user.js';

/**
 * The desktop's settings (issue 16): who I am, which collector, how the alarm rings. Stored in the
 * data dir as settings.json (0600), validated with these schemas on read and on every change from
 * the renderer (`settings.update`), so a bad value is refused naming its field. Strict objects:
 * an unknown key is a typo, not a setting. Secrets (a team collector's token) never live here:
 * they go to the SecretStore (safeStorage in Electron, a 0600 file for the headless host).
 */

/** How often a page ringing for this user is notified again until acknowledged (seconds). */
export const RING_INTERVAL_MIN_S = 10;
export const RING_INTERVAL_MAX_S = 3_600;
export const DEFAULT_RING_INTERVAL_S = 30;
export const DEFAULT_VOLUME = 0.8;
/** A collector URL is an origin with at most a path prefix; long ones are typos or worse. */
export const MAX_COLLECTOR_URL_LENGTH = 2_000;
/** A bearer token longer than this is not one (ours are 43 characters). */
export const MAX_TOKEN_LENGTH = 4_096;

/**
 * Whether the URL's host is this machine: `localhost`, a dotted 127.0.0.0/8 address or [::1].
 * Read from the text (shared/ has no WHATWG URL): other spellings (127.1, hex) are not loopback here.
 */
export function isLoopbackUrl(url: string): boolean {
  const authority = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(url)?.[1];
  if (authority === undefined || authority.includes('@')) return false;
  const host = (
    authority.startsWith('[') ? authority.slice(0, authority.indexOf(']') + 1) : (authority.split(':')[0] ?? '')
  ).toLowerCase();
  if (host === 'localhost' || host === '[::1]') return true;
  const octets = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return octets !== null && octets.slice(1).every((o) => Number(o) <= 255);
}

export const CollectorUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
  .max(MAX_COLLECTOR_URL_LENGTH)
  // The token is asked for separately and kept in the secret store, never in settings.json.
  .refine((s) => !/^https?:\/\/[^/?#]*@/i.test(s), 'must not carry credentials (the token goes in its own field)')
  // The bearer token travels with every request: in clear only to this machine.
  .refine(
    (s) => !s.toLowerCase().startsWith('http:') || isLoopbackUrl(s),
    'http:// only for this machine (localhost, 127.0.0.0/8, [::1]); use https:// for a team collector',
  )
  .transform((u) => u.replace(/\/+$/, ''));

/**
 * A collector URL given on the command line or in the environment (`--collector`,
 * VIGIL_COLLECTOR_URL), held to the same rules as the setting; throws naming where it came from.
 */
export function parseCollectorUrl(raw: string, source: string): string {
  const parsed = CollectorUrl.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw new Error(`${source}: ${parsed.error.issues[0]?.message ?? 'not a valid collector URL'}`);
}

export const CollectorSetting = z.discriminatedUnion('mode', [
  /** The collector (and demo traffic) this app starts itself. */
  z.strictObject({ mode: z.literal('bundled') }),
  /** A team's collector; its token is in the SecretStore. */
  z.strictObject({ mode: z.literal('team'), url: CollectorUrl }),
]);
export type CollectorSetting = z.infer<typeof CollectorSetting>;

export const SoundSetting = z.strictObject({
  /** The in-app alarm tone while a page rings for this user. */
  enabled: z.boolean(),
  volume: z.number().min(0).max(1),
});
export type SoundSetting = z.infer<typeof SoundSetting>;

export const Settings = z.strictObject({
  /** Who this desktop acts as; absent: the OS user name. */
  user: UserName.optional(),
  collector: CollectorSetting.default({ mode: 'bundled' }),
  ringIntervalSec: z.number().int().min(RING_INTERVAL_MIN_S).max(RING_INTERVAL_MAX_S).default(DEFAULT_RING_INTERVAL_S),
  sound: SoundSetting.default({ enabled: true, volume: DEFAULT_VOLUME }),
  /** Electron only (the headless host refuses `true`). */
  launchAtLogin: z.boolean().default(false),
});
export type Settings = z.output<typeof Settings>;

export const CollectorToken = z.string().trim().min(MIN_TOKEN_LENGTH).max(MAX_TOKEN_LENGTH);

/** A change from the renderer: only the fields given change. A team collector may bring its token. */
export const SettingsPatch = z.strictObject({
  user: UserName.optional(),
  collector: z
    .discriminatedUnion('mode', [
      z.strictObject({ mode: z.literal('bundled') }),
      z.strictObject({ mode: z.literal('team'), url: CollectorUrl, token: CollectorToken.optional() }),
    ])
    .optional(),
  ringIntervalSec: z.number().int().min(RING_INTERVAL_MIN_S).max(RING_INTERVAL_MAX_S).optional(),
  sound: SoundSetting.partial().strict().optional(),
  launchAtLogin: z.boolean().optional(),
});
export type SettingsPatch = z.infer<typeof SettingsPatch>;

/** A capability this host may lack (launch at login in a browser), with the reason shown beside it. */
export const Capability = z.object({ available: z.boolean(), reason: z.string().max(300).optional() });
export type Capability = z.infer<typeof Capability>;

/** What `settings.get` / `settings.update` answer and `settings-changed` carries. */
export const SettingsView = z.object({
  settings: Settings,
  /** Who this desktop acts as right now (the setting, a --user flag, or the OS user). */
  user: UserName,
  /** Where the services are connected right now. */
  collectorUrl: z.string().max(MAX_COLLECTOR_URL_LENGTH),
  /** A token is stored for the team collector in the settings. */
  teamTokenStored: z.boolean(),
  launchAtLogin: Capability,
  /** Set while a command-line flag decides instead of a setting (until the setting is changed here). */
  overriddenBy: z.object({ user: z.string().max(100).optional(), collector: z.string().max(100).optional() }),
});
export type SettingsView = z.infer<typeof SettingsView>;

export const TestNotificationResult = z.object({ ok: z.boolean(), message: z.string().max(500) });
export type TestNotificationResult = z.infer<typeof TestNotificationResult>;

// ---- the Demo menu: simulator scenarios switched live ----
export const DemoScenarioName = z.enum(SCENARIO_NAMES);
export const DemoScenario = z.object({
  name: DemoScenarioName,
  description: z.string().max(500),
  active: z.boolean(),
});
export const DemoState = z.object({
  /** False when no bundled simulator runs (a team collector): `reason` says why. */
  available: z.boolean(),
  reason: z.string().max(300).optional(),
  scenarios: z.array(DemoScenario).max(SCENARIO_NAMES.length),
});
export type DemoState = z.infer<typeof DemoState>;
export const DemoScenarioSwitch = z.strictObject({ name: DemoScenarioName, on: z.boolean() });
export type DemoScenarioSwitch = z.infer<typeof DemoScenarioSwitch>;
