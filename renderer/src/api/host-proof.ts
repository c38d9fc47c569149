import { PROOF_PATH } from '../../../shared/api/bridge-proof';
import { newProofNonce, verifyProof } from '../lib/bridge-proof';

/** A local host answers in milliseconds; a listener that stalls counts as a failed proof. */
export const PROOF_TIMEOUT_MS = 5_000;

/**
 * Asks whoever answers at the page's origin to prove it holds `token`, sending only a fresh
 * nonce. Resolves false on any failure: network, status, shape or a wrong proof.
 */
export async function proveHost(
  origin: string,
  token: string,
  fetchFn: typeof fetch = (input, init) => fetch(input, init),
): Promise<boolean> {
  const nonce = newProofNonce();
  try {
    const res = await fetchFn(`${origin}${PROOF_PATH}?nonce=${nonce}`, {
      cache: 'no-store',
      credentials: 'omit',
      redirect: 'error',
      signal: AbortSignal.timeout(PROOF_TIMEOUT_MS),
    });
    if (!res.ok) return false;
    return await verifyProof(token, nonce, await res.json());
  } catch {
    return false;
  }
}
