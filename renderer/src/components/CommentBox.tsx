import { useState, type FormEvent, type KeyboardEvent } from 'react';
import { useApi } from '../api/context';
import { targetKey, type CommandTarget } from '../lib/outbox';
import { sendTargeted } from '../store/commands';

/** A note on the alert's or incident's timeline. Ctrl/Cmd+Enter sends, as in most chat and ticket tools. */
export function CommentBox({ target }: { target: CommandTarget }) {
  const fieldId = `comment-${targetKey(target).replace(':', '-')}`;
  const api = useApi();
  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);
  const note = text.trim();

  const submit = async (e?: FormEvent) => {
    e?.preventDefault();
    if (!note || sending) return;
    setSending(true);
    const ok = await sendTargeted(api, target, { kind: 'comment', note });
    setSending(false);
    // Keep the text when the Api refused it, so nothing typed at 3am is lost.
    if (ok) setText('');
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void submit();
  };

  return (
    <form className="comment" onSubmit={(e) => void submit(e)}>
      <label className="section-title" htmlFor={fieldId}>
        Add a note
      </label>
      <textarea
        id={fieldId}
        value={text}
        rows={2}
        maxLength={5000}
        placeholder="What did you see, what did you try?"
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
      />
      <div className="comment-foot">
        <span className="hint">Ctrl+Enter to send</span>
        <button type="submit" className="btn" disabled={!note || sending}>
          Comment
        </button>
      </div>
    </form>
  );
}
