import { useTranslation } from 'react-i18next';
import { useAppInfo } from '../api/queries';
import { formatRoute } from '../lib/route';
import { DownloadsBadge } from '../features/downloads/DownloadsPage';
import { WorkBadge } from '../features/quant/WorkBadge';
import { useUi, type View } from '../stores/ui';
import {
  ChatIcon,
  ChipIcon,
  CompassIcon,
  DownloadIcon,
  LibraryIcon,
  LogsIcon,
  Logo,
  ModelIcon,
  MonitorIcon,
  SettingsIcon,
  PlugIcon,
  SparkIcon,
} from './icons';

const items: { view: View; Icon: typeof ChatIcon }[] = [
  { view: 'chat', Icon: ChatIcon },
  { view: 'model', Icon: ModelIcon },
  { view: 'models', Icon: CompassIcon },
  { view: 'library', Icon: LibraryIcon },
  { view: 'downloads', Icon: DownloadIcon },
  { view: 'quants', Icon: SparkIcon },
  { view: 'backends', Icon: PlugIcon },
  { view: 'monitor', Icon: MonitorIcon },
  { view: 'hardware', Icon: ChipIcon },
  { view: 'logs', Icon: LogsIcon },
  { view: 'settings', Icon: SettingsIcon },
];

export function Sidebar() {
  const { t } = useTranslation();
  const view = useUi((s) => s.view);
  const pickView = useUi((s) => s.pickView);
  const conversationId = useUi((s) => s.conversationId);
  const { data: info } = useAppInfo();
  return (
    <aside className="sidebar">
      <div className="brand">
        <Logo />
        <span className="brand-name">DeepLocal</span>
      </div>
      <nav className="nav" aria-label={t('nav.label')}>
        {items.map(({ view: v, Icon }) => (
          // Links, so a page can be opened in a new tab or its address copied; a plain click stays in this one.
          <a
            key={v}
            href={formatRoute({ view: v, conversationId })}
            className={v === view ? 'nav-item active' : 'nav-item'}
            aria-current={v === view ? 'page' : undefined}
            data-testid={`nav-${v}`}
            onClick={(e) => {
              if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
              e.preventDefault();
              pickView(v);
            }}
          >
            <Icon size={17} />
            <span>{t(`nav.${v}`)}</span>
            {v === 'downloads' && <DownloadsBadge />}
            {v === 'downloads' && <WorkBadge />}
          </a>
        ))}
      </nav>
      <div className="sidebar-foot">{info ? t('app.version', { version: info.version }) : null}</div>
    </aside>
  );
}
