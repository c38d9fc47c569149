import type {
  DemoScenarioSwitch,
  DemoState,
  SettingsPatch,
  SettingsView,
  TestNotificationResult,
} from '../../../../shared/protocol/settings.js';

/** What the Api needs for `settings.*`: the session that owns the settings and rebinds the services. */
export interface SettingsSource {
  get(): SettingsView;
  /** Validated params in; refuses (ApiRefusal, the field named) what it cannot apply. */
  update(patch: SettingsPatch): Promise<SettingsView>;
  testNotification(): Promise<TestNotificationResult>;
}

/** What the Api needs for `demo.*`: the bundled simulator's scenario switches. */
export interface DemoSource {
  state(): DemoState;
  set(change: DemoScenarioSwitch): DemoState;
}
