import { PROOF_PATH } from '../../../shared/api/bridge-proof';
import { newProofNonce, verifyProof } from '../lib/bridge-proof';

/** A local host answers in milliseconds; a listener that stalls counts as a failed proof. */
export const PROOF_TIMEOUT_MS = 5_000;

/**
 * - proven: the answer is HMAC(token, nonce); the token may go there.
 * - unreachable: nothing answered (host still down, or stalled); the token stays here.
 * - refuted: something answered without a valid proof: the address is no longer ours.
 */
export type ProofOutcome = 'proven' | 'unreachable' | 'refuted';

/**
 * Asks whoever answers at the page's origin to prove it holds `token`, sending only a fresh
 * nonce. Only `proven` lets the caller send the token.
 */
export async function proveHost(
  origin: string,
  token: string,
  fetchFn: typeof fetch = (input, init) => fetch(input, init),
): Promise<ProofOutcome> {
  const nonce = newProofNonce();
  let res: Response;
  try {
    res = await fetchFn(`${origin}${PROOF_PATH}?nonce=${nonce}`, {
      cache: 'no-store',
      credentials: 'omit',
      redirect: 'error',
      signal: AbortSignal.timeout(PROOF_TIMEOUT_MS),
    });
  } catch {
    return 'unreachable';
  }
  try {
    if (!res.ok) return 'refuted';
    return (await verifyProof(token, nonce, await res.json())) ? 'proven' : 'refuted';
  } catch {
    return 'refuted';
  }
}
