/**
 * Version of the collector ⇄ client wire protocol, sent in `hello` and `welcome`.
 * Bump it whenever a schema in shared/protocol changes shape; test/unit/protocol-version.test.ts
 * hashes the schemas and fails when they move without a bump.
 */
export const PROTOCOL_VERSION = 6;
