import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppInfo, useBackendStatus, useLiveServerState, useSettings } from './api/queries';
import { ConnBanner } from './components/ConnBanner';
import { Sidebar } from './components/Sidebar';
import { TopBar } from './components/TopBar';
import { Toasts } from './components/Toasts';
import { ChatPage } from './features/chat/ChatPage';
// Stays in the first load: the sidebar shows its badge.
import { DownloadsPage } from './features/downloads/DownloadsPage';
import { useLiveModels } from './features/models/queries';
import { useLiveTelemetry } from './features/monitor/live';
import { useLiveRuntimes } from './features/runtimes/queries';
import { UpdateBanner } from './features/updates/UpdateBanner';
import { useFirstRun } from './features/wizard/firstRun';
import { resolveLang } from './i18n/resolve';
import { lazyPage } from './lib/lazy-page';
import { openedWithRoute, useRouteSync } from './lib/route';
import { useTheme } from './lib/theme';
import { usePageTitle } from './lib/usePageTitle';
import { useUi, type View } from './stores/ui';

// Pages other than the chat are fetched the first time they are shown (the Monitor page brings the charts).
const HardwarePage = lazyPage(() => import('./features/hardware/HardwarePage').then((m) => m.HardwarePage));
const LibraryPage = lazyPage(() => import('./features/library/LibraryPage').then((m) => m.LibraryPage));
const LogsPage = lazyPage(() => import('./features/logs/LogsPage').then((m) => m.LogsPage));
const ModelPage = lazyPage(() => import('./features/model/ModelPage').then((m) => m.ModelPage));
const ModelsPage = lazyPage(() => import('./features/models/ModelsPage').then((m) => m.ModelsPage));
const MonitorPage = lazyPage(() => import('./features/monitor/MonitorPage').then((m) => m.MonitorPage));
const BackendsPage = lazyPage(() => import('./features/backends/BackendsPage').then((m) => m.BackendsPage));
const QuantsPage = lazyPage(() => import('./features/quantizations/QuantsPage').then((m) => m.QuantsPage));
const SettingsPage = lazyPage(() => import('./features/settings/SettingsPage').then((m) => m.SettingsPage));
const WizardPage = lazyPage(() => import('./features/wizard/WizardPage').then((m) => m.WizardPage));

const pages: Record<View, () => React.JSX.Element> = {
  chat: ChatPage,
  model: ModelPage,
  monitor: MonitorPage,
  hardware: HardwarePage,
  logs: LogsPage,
  settings: SettingsPage,
  models: ModelsPage,
  library: LibraryPage,
  downloads: DownloadsPage,
  quants: QuantsPage,
  backends: BackendsPage,
  wizard: WizardPage,
};

export function App() {
  useLiveServerState();
  useLiveTelemetry();
  useLiveModels();
  useLiveRuntimes();
  useFirstRun();
  // Read before useRouteSync writes the start page into the address bar.
  const [namedPage] = useState(openedWithRoute);
  useRouteSync();
  usePageTitle();
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

  // A model already running when the window opens means the user came to chat, unless the URL names a page or the
  // user already went to one before the first status arrived (the click wins over this default, even a click on the
  // page already shown: the Model page is the start page, and a click on it is a choice too).
  const routed = useRef(false);
  const startView = useRef(view);
  useEffect(() => {
    if (routed.current || !status) return;
    routed.current = true;
    const ui = useUi.getState();
    if (status.state === 'ready' && !namedPage && !ui.picked && ui.view === startView.current) setView('chat');
  }, [status, setView, namedPage]);

  const Page = pages[view];
  return (
    <div className="app">
      <Sidebar />
      <div className="main">
        <ConnBanner />
        <UpdateBanner />
        <TopBar />
        <main className="content" data-view={view}>
          <Page />
        </main>
      </div>
      <Toasts />
    </div>
  );
}
