import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useConversations } from '../api/queries';
import { useUi } from '../stores/ui';
import { useLiveText } from './useLiveText';

/** The tab's title names the page (or the conversation), so bookmarks and the history list say where they lead. */
export function usePageTitle(): void {
  const { t } = useTranslation();
  const live = useLiveText();
  const view = useUi((s) => s.view);
  const id = useUi((s) => s.conversationId);
  const { data: list } = useConversations();
  const conversation = view === 'chat' && id ? list?.find((c) => c.id === id) : undefined;
  const page = conversation?.title || (view === 'chat' && !id ? live('pages.newChat') : t(`nav.${view}`));
  const title = live('pages.documentTitle', { page });
  useEffect(() => {
    document.title = title;
  }, [title]);
}
