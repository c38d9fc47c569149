import { z } from 'zod';

/**
 * Before the page re-sends its bridge token to an address that went away and came back, it
 * asks whoever answers there to prove it knows the token: HMAC-SHA256(key = token, msg = nonce),
 * base64url. Another local user who grabbed the port cannot answer, so the token never reaches them.
 */
export const PROOF_PATH = '/bridge/proof';
/** The page sends 32 random bytes: 43 base64url characters without padding. */
export const PROOF_NONCE_BYTES = 32;
export const PROOF_NONCE_MIN_CHARS = 43;
/** Bounds the host's work per request; a longer nonce is not a better one. */
export const PROOF_NONCE_MAX_CHARS = 128;
/** HMAC-SHA256 is 32 bytes: 43 base64url characters. */
const PROOF_CHARS = 43;

const BASE64URL = /^[A-Za-z0-9_-]+$/;

export const ProofNonce = z
  .string()
  .min(PROOF_NONCE_MIN_CHARS)
  .max(PROOF_NONCE_MAX_CHARS)
  .regex(BASE64URL, 'must be base64url');

// Other parameters are ignored; only the nonce is read.
export const ProofQuery = z.object({ nonce: ProofNonce });

export const ProofResponse = z.strictObject({
  proof: z.string().length(PROOF_CHARS).regex(BASE64URL, 'must be base64url'),
});
export type ProofResponse = z.infer<typeof ProofResponse>;

/** Compares without stopping at the first difference; the strings are public-length proofs. */
export function proofEquals(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
