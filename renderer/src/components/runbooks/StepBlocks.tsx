import type { StepBlock } from '../../../../shared/runbooks/schema';
import { CodeBlock } from './CodeBlock';
import { Markdown } from './Markdown';

export function StepBlocks({ blocks }: { blocks: readonly StepBlock[] }) {
  return (
    <>
      {blocks.map((b, i) =>
        b.kind === 'code' ? <CodeBlock key={i} code={b.code} lang={b.lang} /> : <Markdown key={i} text={b.text} />,
      )}
    </>
  );
}
