import { describe, expect, it } from 'vitest';
import { childEnv, CHILD_TOKEN_ENV } from '../../electron/main/demo.js';

describe("the demo children's environment", () => {
  it('carries the token in VIGIL_TOKEN, never the team token, and no inherited VIGIL_TOKEN when there is none', () => {
    const base = { PATH: '/bin', VIGIL_COLLECTOR_TOKEN: 'team-secret', VIGIL_TOKEN: 'inherited' };
    expect(childEnv(base, 'demo-token')).toEqual({ PATH: '/bin', [CHILD_TOKEN_ENV]: 'demo-token' });
    // The collector then reads or creates <dataDir>/token, which the demo reads back.
    expect(childEnv(base, undefined)).toEqual({ PATH: '/bin' });
    expect(base.VIGIL_TOKEN).toBe('inherited'); // the caller's object is not modified
  });
});
