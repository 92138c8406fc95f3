/**
 * A page whose code is fetched the first time it is shown (React.lazy), so the first load carries only the page the
 * user opens. While it loads a quiet line says so; a failed fetch (the server went away or was updated) offers a
 * retry instead of a blank page. Errors thrown by the page itself go on to the boundary above.
 */
import { Component, lazy, Suspense, useState, type ComponentType, type ReactNode } from 'react';
import { useLiveText } from './useLiveText';

class PageLoadError extends Error {}

function Loading() {
  const t = useLiveText();
  return (
    <div className="muted" role="status" aria-busy="true" data-testid="page-loading">
      {t('render.loadingPage')}
    </div>
  );
}

function Failed({ onRetry }: { onRetry: () => void }) {
  const t = useLiveText();
  return (
    <div className="empty-state" role="alert">
      <p>{t('render.pageFailed')}</p>
      <button type="button" className="btn btn-primary" onClick={onRetry}>
        {t('render.retry')}
      </button>
    </div>
  );
}

class LoadBoundary extends Component<{ children: ReactNode; onRetry: () => void }, { error: unknown }> {
  override state: { error: unknown } = { error: null };
  static getDerivedStateFromError(error: unknown) {
    return { error };
  }
  override render() {
    const { error } = this.state;
    if (error === null) return this.props.children;
    if (error instanceof PageLoadError) return <Failed onRetry={this.props.onRetry} />;
    throw error;
  }
}

export function lazyPage(load: () => Promise<ComponentType>): () => React.JSX.Element {
  const make = () =>
    lazy(() =>
      load().then(
        (Page) => ({ default: Page }),
        (e: unknown) => {
          throw new PageLoadError(String(e));
        },
      ),
    );
  let Lazy = make();
  return function LazyPage() {
    const [attempt, setAttempt] = useState(0);
    return (
      <LoadBoundary
        key={attempt}
        onRetry={() => {
          Lazy = make();
          setAttempt((a) => a + 1);
        }}
      >
        <Suspense fallback={<Loading />}>
          <Lazy />
        </Suspense>
      </LoadBoundary>
    );
  };
}
