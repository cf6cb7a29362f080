import type { ReactNode } from 'react';

// Exercise statements are written in a small part of Markdown: paragraphs, ``` fenced code
// blocks and `inline code`. This renders exactly that as React elements (no HTML is injected).

function inline(text: string): ReactNode[] {
  return text.split(/(`[^`\n]+`)/).map((part, index) =>
    part.length > 2 && part.startsWith('`') && part.endsWith('`') ? (
      // biome-ignore lint/suspicious/noArrayIndexKey: parts of a fixed string
      <code key={index}>{part.slice(1, -1)}</code>
    ) : (
      part
    ),
  );
}

export function Statement({ text }: { text: string }) {
  const blocks: ReactNode[] = [];
  // split() with a capture group alternates prose and the fenced blocks' contents
  const pieces = text.split(/^```[^\n]*\n([\s\S]*?)^```[ \t]*$/m);
  let isCode = false;
  for (const piece of pieces) {
    const key = blocks.length;
    if (isCode) {
      blocks.push(
        <pre key={key}>
          <code>{piece.replace(/\n$/, '')}</code>
        </pre>,
      );
    } else {
      for (const paragraph of piece.split(/\n\s*\n/)) {
        if (paragraph.trim()) blocks.push(<p key={blocks.length}>{inline(paragraph.trim())}</p>);
      }
    }
    isCode = !isCode;
  }
  return <div>{blocks}</div>;
}
