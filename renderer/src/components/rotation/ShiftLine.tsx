import { holderLabel, holderText, myShiftLine, viewerZone } from '../../lib/rotation';
import { serverNow, useServerNow } from '../../store/clock';
import { useRotationStore } from '../../store/rotation';
import { useSyncStore } from '../../store/sync';

/** Top bar: "You are primary until Mon 10:00" or "Next shift: primary from …" (from the cached rotation). */
export function ShiftLine() {
  const cached = useRotationStore((s) => s.cached);
  const user = useSyncStore((s) => s.status?.user);
  const now = useServerNow();
  if (!user) return null;
  const line = myShiftLine(cached, user, now, viewerZone());
  if (!line) return null;
  return (
    <div
      className={`shift-line${line.current ? ' shift-line-current' : ''}`}
      data-testid="shift-line"
      data-current={line.current ? 'true' : 'false'}
    >
      {line.text}
    </div>
  );
}

/** A page's holder by name, with the role they hold now: "alice (primary)". */
export function HolderName({ target, testId }: { target: string; testId?: string }) {
  const cached = useRotationStore((s) => s.cached);
  const now = useServerNow();
  const h = holderLabel(target, cached, now);
  return (
    <>
      <strong data-testid={testId}>{h.name}</strong>
      {h.role ? ` (${h.role})` : ''}
    </>
  );
}

/** The same as plain text (tooltips). */
export function useHolderText(): (target: string) => string {
  const cached = useRotationStore((s) => s.cached);
  // Read once per render (no per-second tick): rows of the inbox use it for tooltips.
  return (target) => holderText(target, cached, serverNow());
}
