import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import { createConnection } from './api/connection';
import { ConnectionProvider } from './api/context';
import { App } from './App';
import { initI18n } from './i18n';
import { parseHash } from './lib/route';
import { applySystemTheme } from './lib/theme';
import { useUi } from './stores/ui';
import './styles/index.css';

applySystemTheme();
// The page the URL names is the first one drawn (route.ts's sync would switch to it only after a first render of the
// default page, fetching and drawing a page nobody asked for). Like the sync, it counts as the user's navigation.
const start = parseHash(location.hash);
if (start) useUi.setState({ view: start.view, conversationId: start.conversationId });
const i18n = initI18n();
const connection = createConnection();
const queryClient = new QueryClient({
  defaultOptions: {
    // Events keep server state live; refetching on focus would only race them.
    queries: { refetchOnWindowFocus: false, refetchOnReconnect: false, retry: 1 },
    mutations: { retry: false },
  },
});

const root = document.getElementById('root');
if (!root) throw new Error('#root missing');
createRoot(root).render(
  <StrictMode>
    <ConnectionProvider connection={connection}>
      <QueryClientProvider client={queryClient}>
        <I18nextProvider i18n={i18n}>
          <App />
        </I18nextProvider>
      </QueryClientProvider>
    </ConnectionProvider>
  </StrictMode>,
);
