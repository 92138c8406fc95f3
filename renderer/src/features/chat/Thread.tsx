/**
 * The thread, virtualized (react-virtuoso): a 1,000-message conversation mounts only what is on screen. It follows
 * the bottom while a reply streams unless the user scrolled up; a search hit's message is scrolled into view once.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { Virtuoso, type VirtuosoHandle } from 'react-virtuoso';
import { useChat } from '../../stores/chat';
import { useUi } from '../../stores/ui';
import { MessageRow } from './Message';

/** Distance from the bottom (px) that still counts as "following" the stream. */
const STICK_PX = 64;

const Item = (_: number, id: string) => (
  <div className="chat-column thread-item">
    <MessageRow id={id} />
  </div>
);

export function Thread({ header }: { header?: React.ReactNode }) {
  const thread = useChat((s) => s.thread);
  const streamingId = useChat((s) => s.streamingId);
  const ref = useRef<VirtuosoHandle>(null);
  const atBottom = useRef(true);
  const focus = useUi((s) => s.focusMessageId);

  // A streaming reply grows without adding items: keep its end in view while the user is at the bottom.
  useEffect(() => {
    if (!streamingId) return;
    return useChat.subscribe((s, prev) => {
      if (s.nodes[streamingId] !== prev.nodes[streamingId] && atBottom.current) ref.current?.autoscrollToBottom();
    });
  }, [streamingId]);

  // Sending (a new question) brings the user back to the bottom even if they had scrolled up.
  const lastId = thread[thread.length - 1];
  const prevLast = useRef(lastId);
  useEffect(() => {
    if (lastId !== prevLast.current && lastId && useChat.getState().nodes[lastId]?.status === 'streaming') {
      atBottom.current = true;
      ref.current?.scrollToIndex({ index: 'LAST', align: 'end' });
    }
    prevLast.current = lastId;
  }, [lastId]);

  useEffect(() => {
    if (!focus) return;
    const index = thread.indexOf(focus);
    if (index < 0) return;
    ref.current?.scrollToIndex({ index, align: 'center' });
    useUi.getState().clearFocus();
  }, [focus, thread]);

  // Opened from a search hit: start at that message instead of the end (a scroll before the first layout is lost).
  const [initial] = useState(() => {
    const index = focus ? thread.indexOf(focus) : -1;
    return index >= 0 ? { index, align: 'center' as const } : { index: 'LAST' as const, align: 'end' as const };
  });
  const follow = useCallback((bottom: boolean): 'auto' | false => (bottom ? 'auto' : false), []);
  const Header = useCallback(() => <>{header}</>, [header]);

  return (
    <Virtuoso
      ref={ref}
      className="chat-scroll thread"
      data={thread as string[]}
      computeItemKey={(_, id) => id}
      itemContent={Item}
      initialTopMostItemIndex={initial}
      followOutput={follow}
      atBottomThreshold={STICK_PX}
      atBottomStateChange={(b) => (atBottom.current = b)}
      increaseViewportBy={{ top: 400, bottom: 400 }}
      components={{ Header, Footer: ThreadFooter }}
      data-testid="thread"
    />
  );
}

const ThreadFooter = () => <div className="thread-footer" />;
