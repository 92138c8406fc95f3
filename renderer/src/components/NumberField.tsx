import { useState } from 'react';

function parse(s: string): number | null {
  if (s.trim() === '') return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : NaN;
}

/**
 * A number input that lets the user clear and retype: the text is local, and only a valid number within
 * bounds reaches `onChange` (empty reaches it as null when `allowEmpty`).
 */
export function NumberField({
  value,
  onChange,
  min,
  max,
  step = 1,
  integer = true,
  allowEmpty = false,
  placeholder,
  id,
  testId,
  className = 'input',
}: {
  value: number | null;
  onChange: (v: number | null) => void;
  min?: number;
  max?: number;
  step?: number;
  integer?: boolean;
  allowEmpty?: boolean;
  placeholder?: string;
  id?: string;
  testId?: string;
  className?: string;
}) {
  const [text, setText] = useState(value === null ? '' : String(value));
  // A new value from outside replaces the text, unless the text already says it ("0.50" vs 0.5).
  const [shown, setShown] = useState(value);
  if (shown !== value) {
    setShown(value);
    if (parse(text) !== value) setText(value === null ? '' : String(value));
  }
  const valid = (n: number | null) =>
    n === null
      ? allowEmpty
      : !Number.isNaN(n) &&
        (!integer || Number.isInteger(n)) &&
        (min === undefined || n >= min) &&
        (max === undefined || n <= max);

  const n = parse(text);
  return (
    <input
      id={id}
      data-testid={testId}
      className={valid(n) ? className : `${className} invalid`}
      type="number"
      inputMode={integer ? 'numeric' : 'decimal'}
      value={text}
      min={min}
      max={max}
      step={step}
      placeholder={placeholder}
      onChange={(e) => {
        setText(e.target.value);
        const v = parse(e.target.value);
        if (valid(v)) onChange(v);
      }}
      onBlur={() => {
        if (!valid(parse(text))) setText(value === null ? '' : String(value));
      }}
    />
  );
}
