import { Fragment } from 'react';
import type { SearchHit } from '@shared/chat-schemas';

/** A search hit's snippet: the matched words in <mark>. Segments are text, never HTML (a message may hold any). */
export function Snippet({ segments }: { segments: SearchHit['snippet'] }) {
  return (
    <span className="hit-snippet" data-testid="hit-snippet">
      {segments.map((s, i) => (s.hit ? <mark key={i}>{s.text}</mark> : <Fragment key={i}>{s.text}</Fragment>))}
    </span>
  );
}
