import { useEffect, useRef, type ReactNode } from 'react';
import './quant.css';

/** A centred dialog over the page; Escape and a click on the backdrop close it (unless `busy`). */
export function Modal({
  testId,
  label,
  onClose,
  busy = false,
  children,
}: {
  testId: string;
  label: string;
  onClose: () => void;
  busy?: boolean;
  children: ReactNode;
}) {
  const box = useRef<HTMLDivElement>(null);
  // Focus moves into the dialog (keyboard and screen-reader users start there) and back where it was on close.
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    box.current?.focus();
    return () => before?.focus?.();
  }, []);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !busy) onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose, busy]);
  return (
    <div
      className="quant-backdrop"
      onMouseDown={(e) => {
        if (e.target === e.currentTarget && !busy) onClose();
      }}
    >
      <div
        ref={box}
        tabIndex={-1}
        className="quant-dialog"
        role="dialog"
        aria-modal="true"
        aria-label={label}
        data-testid={testId}
      >
        {children}
      </div>
    </div>
  );
}
