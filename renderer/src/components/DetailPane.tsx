import { useInboxStore } from '../store/inbox';
import { AlertDetailPane, Placeholder } from './AlertDetail';
import { IncidentDetailPane } from './IncidentDetail';

/** The right-hand pane: the open incident, the open alert, or a hint. */
export function DetailPane() {
  const open = useInboxStore((s) => s.open);
  if (open === null) {
    return (
      <section className="detail" aria-label="Detail">
        <Placeholder>
          Select an incident to see its alerts, timeline and actions.
          <span className="hint">
            <kbd>j</kbd> <kbd>k</kbd> to move, <kbd>x</kbd> to expand, <kbd>Enter</kbd> to open
          </span>
        </Placeholder>
      </section>
    );
  }
  return open.kind === 'incident' ? (
    <IncidentDetailPane key={open.id} id={open.id} />
  ) : (
    <AlertDetailPane key={open.id} id={open.id} />
  );
}
