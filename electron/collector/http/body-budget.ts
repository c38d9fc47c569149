/**
 * Share of the budget that the requests of one remote host may hold together: one host cannot
 * take the budget from the senders on others. With the default budget (4 MiB) this is 1 MiB,
 * two Events-v2 bodies of the largest size, or hundreds of ordinary ones.
 */
export const ADDRESS_SHARE = 1 / 4;

/** One request's hold on the budget: grows as its body arrives, given back once when it is answered. */
export interface BodyAccount {
  /** Accounts for `bytes` more of the body; false (nothing taken) when they do not fit. */
  take(bytes: number): boolean;
  /** Idempotent. */
  release(): void;
}

/**
 * Bytes that requests not yet authenticated may buffer, all together (issue 11: 200 unfinished
 * unauthenticated Events-v2 requests held +85 MB). A request holds what it has actually received,
 * not what it announced: a client trickling its body (or announcing a large one and sending
 * nothing) holds next to nothing, so slow clients cannot keep the budget full and the senders
 * with a routing key on 503 (review of issue 11, finding 4). What is held is real memory, and the
 * requests of one host hold at most `perAddress` of it.
 */
export class BodyBudget {
  private used = 0;
  private readonly byAddress = new Map<string, number>();
  readonly perAddress: number;

  constructor(
    readonly capacity: number,
    perAddress?: number,
  ) {
    this.perAddress = perAddress ?? Math.max(1, Math.floor(capacity * ADDRESS_SHARE));
  }

  /**
   * Opens an account for a request from `address` (see `addressKey`) expecting `expected` bytes
   * (its declared length; 0 when chunked): undefined, nothing held, when they would not fit now,
   * so such a request is refused before any of its body is read. Admission holds nothing yet;
   * the account takes bytes as they arrive.
   */
  open(address: string, expected = 0): BodyAccount | undefined {
    if (!this.fits(address, expected)) return undefined;
    let held = 0;
    let open = true;
    return {
      take: (bytes) => {
        if (!open || !this.fits(address, bytes)) return false;
        held += bytes;
        this.add(address, bytes);
        return true;
      },
      release: () => {
        if (!open) return;
        open = false;
        this.add(address, -held);
        held = 0;
      },
    };
  }

  /** Bytes held now, in all (tests, diagnostics). */
  get reserved(): number {
    return this.used;
  }

  /** Bytes held now by the requests of `address`. */
  heldBy(address: string): number {
    return this.byAddress.get(address) ?? 0;
  }

  private fits(address: string, bytes: number): boolean {
    return bytes <= this.capacity - this.used && bytes <= this.perAddress - this.heldBy(address);
  }

  private add(address: string, bytes: number): void {
    this.used += bytes;
    const next = this.heldBy(address) + bytes;
    if (next === 0) this.byAddress.delete(address);
    else this.byAddress.set(address, next);
  }
}

/** IPv6 groups that make up the network prefix one host is typically given (a /64). */
const IPV6_HOST_PREFIX_GROUPS = 4;

/**
 * The remote host a budget share belongs to: an IPv4 address (IPv4-mapped IPv6 included), or an
 * IPv6 /64, since one host usually has a whole /64 to send from.
 */
export function addressKey(remote: string | undefined): string {
  if (remote === undefined || remote === '') return 'unknown';
  const v4 = /^(?:::ffff:)?(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(remote);
  if (v4?.[1] !== undefined) return v4[1];
  if (!remote.includes(':')) return remote;
  const address = remote.split('%')[0] ?? remote; // drop a zone id (fe80::1%eth0)
  const [head = '', tail] = address.split('::');
  const groups = (part: string): string[] => (part === '' ? [] : part.split(':'));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const width = (gs: string[]): number => gs.reduce((n, g) => n + (g.includes('.') ? 2 : 1), 0);
  const missing = Math.max(0, 8 - width(left) - width(right));
  const all = [...left, ...Array<string>(missing).fill('0'), ...right];
  const prefix = all.slice(0, IPV6_HOST_PREFIX_GROUPS).map((g) => (Number.parseInt(g, 16) || 0).toString(16));
  return `${prefix.join(':')}::/64`;
}
