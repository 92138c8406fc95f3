import 'i18next';
import type { en } from './en';
import type { fitReasonMessages } from '@shared/models';
import type { probeNoteMessages } from '@shared/telemetry';

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: {
      translation: typeof en;
      // Keyed by ErrorCode at run time (errorMessages); typed loosely, since the full code union pushes every `t`
      // call past TypeScript's instantiation depth (TS2589). Codes are checked where they are produced (AppError).
      errors: Record<string, string>;
      fit: (typeof fitReasonMessages)['en'];
      probe: (typeof probeNoteMessages)['en'];
    };
  }
}
