import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppInfo, useBackendStatus, useLiveServerState, useSettings } from './api/queries';
import { ConnBanner } from './components/ConnBanner';
import { Sidebar } from './components/Sidebar';
import { TopBar } from './components/TopBar';
import { ChatPage } from './features/chat/ChatPage';
import { LogsPage } from './features/logs/LogsPage';
import { ModelPage } from './features/model/ModelPage';
import { SettingsPage } from './features/settings/SettingsPage';
import { resolveLang } from './i18n/resolve';
import { useTheme } from './lib/theme';
import { useUi, type View } from './stores/ui';

const pages: Record<View, () => React.JSX.Element> = {
  chat: ChatPage,
  model: ModelPage,
  logs: LogsPage,
  settings: SettingsPage,
};

export function App() {
  useLiveServerState();
  const { i18n } = useTranslation();
  const { data: settings } = useSettings();
  const { data: info } = useAppInfo();
  const { data: status } = useBackendStatus();
  const view = useUi((s) => s.view);
  const setView = useUi((s) => s.setView);
  useTheme(settings?.theme);

  const lang = resolveLang(settings?.language, navigator.language, info?.systemLocale);
  useEffect(() => {
    if (settings && i18n.resolvedLanguage !== lang) void i18n.changeLanguage(lang);
  }, [settings, lang, i18n]);

  // A model already running when the window opens means the user came to chat.
  const routed = useRef(false);
  useEffect(() => {
    if (routed.current || !status) return;
    routed.current = true;
    if (status.state === 'ready') setView('chat');
  }, [status, setView]);

  const Page = pages[view];
  return (
    <div className="app">
      <Sidebar />
      <div className="main">
        <ConnBanner />
        <TopBar />
        <main className="content" data-view={view}>
          <Page />
        </main>
      </div>
    </div>
  );
}
