import 'i18next';
import type { en } from './en';
import type { errorMessages } from '@shared/errors';
import type { fitReasonMessages } from '@shared/models';
import type { probeNoteMessages } from '@shared/telemetry';

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: {
      translation: typeof en;
      errors: (typeof errorMessages)['en'];
      fit: (typeof fitReasonMessages)['en'];
      probe: (typeof probeNoteMessages)['en'];
    };
  }
}
