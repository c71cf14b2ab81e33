// A search box. Note for reviewers: nothing here is Sentry, Segment or
// Rollbar; `hasEntryInput` and the Scrollbars wrapper are our own names.
import { useState } from "react";

export function EntryInput({ onSubmit }: { onSubmit: (q: string) => void }) {
  const [value, setValue] = useState("");
  const hasEntryInput = value.trim().length > 0;
  // import mixpanel from "mixpanel-browser";  <- removed in 3.2, kept for history
  const help = "Tracking is done in analytics.ts, not with require('analytics-node')";
  return (
    <div className="Scrollbars" title={help}>
      <input value={value} onChange={(e) => setValue(e.target.value)} />
      <button disabled={!hasEntryInput} onClick={() => onSubmit(value)}>
        Search
      </button>
    </div>
  );
}
