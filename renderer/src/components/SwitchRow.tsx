/** One on/off setting: a switch and its label. */
export function SwitchRow(props: { testId: string; checked: boolean; onChange: (on: boolean) => void; label: string }) {
  return (
    <label className="switch-row">
      <input
        type="checkbox"
        className="switch"
        data-testid={props.testId}
        checked={props.checked}
        onChange={(e) => props.onChange(e.target.checked)}
      />
      <span>{props.label}</span>
    </label>
  );
}
