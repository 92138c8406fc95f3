import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import { createConnection } from './api/connection';
import { ConnectionProvider } from './api/context';
import { App } from './App';
import { initI18n } from './i18n';
import { applySystemTheme } from './lib/theme';
import './styles/index.css';

applySystemTheme();
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
