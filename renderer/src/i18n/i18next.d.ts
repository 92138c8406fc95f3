import 'i18next';
import type { en } from './en';
import type { errorMessages } from '../../../electron/shared/errors';
import type { fitReasonMessages } from '../../../electron/shared/models';
import type { probeNoteMessages } from '../../../electron/shared/telemetry';

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: typeof en; errors: (typeof errorMessages)['en']; fit: (typeof fitReasonMessages)['en']; probe: (typeof probeNoteMessages)['en'] };
  }
}
