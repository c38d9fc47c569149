import { ProofResponse, PROOF_NONCE_BYTES, proofEquals } from '../../../shared/api/bridge-proof';

/** The WebCrypto half of the reconnect proof (shared/ has no platform crypto); Node has the same API. */
export function toBase64url(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Fresh nonce from the platform's CSPRNG (browser and Node both have globalThis.crypto). */
export function newProofNonce(): string {
  const bytes = new Uint8Array(PROOF_NONCE_BYTES);
  crypto.getRandomValues(bytes);
  return toBase64url(bytes);
}

/** base64url(HMAC-SHA256(key = token, msg = nonce)) with WebCrypto, as the host computes it with node:crypto. */
export async function computeProof(
  token: string,
  nonce: string,
  subtle: SubtleCrypto = crypto.subtle,
): Promise<string> {
  const enc = new TextEncoder();
  const key = await subtle.importKey('raw', enc.encode(token), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const sig = await subtle.sign('HMAC', key, enc.encode(nonce));
  return toBase64url(new Uint8Array(sig));
}

/**
 * True only when `body` is a well-formed proof for this token and nonce. Anything else (bad
 * JSON shape, wrong proof) is false: the caller then keeps the token to itself.
 */
export async function verifyProof(token: string, nonce: string, body: unknown): Promise<boolean> {
  const parsed = ProofResponse.safeParse(body);
  if (!parsed.success) return false;
  return proofEquals(parsed.data.proof, await computeProof(token, nonce));
}
