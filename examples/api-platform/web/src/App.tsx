import * as Sentry from "@sentry/react";
import { useEffect, useState } from "react";
import { initAnalytics, identifyUser, trackEvent } from "./analytics";
import { fetchCurrentUser, type CurrentUser } from "./session";
import { EntryInput } from "./components/EntryInput";

Sentry.init({
  dsn: import.meta.env.VITE_SENTRY_DSN,
  tracesSampleRate: 0.1,
});

export function App() {
  const [user, setUser] = useState<CurrentUser | null>(null);

  useEffect(() => {
    initAnalytics();
    fetchCurrentUser().then((u) => {
      setUser(u);
      identifyUser(u);
      Sentry.setUser({ id: u.id });
    });
  }, []);

  // The API-keys page loads lazily; it never talks to a vendor.
  const openKeys = () => import("./keys/KeysPage").then((m) => m.show(user));

  return (
    <main className="sentry-free-layout">
      <EntryInput onSubmit={(q) => trackEvent("search", { length: q.length })} />
      <button onClick={openKeys}>API keys</button>
    </main>
  );
}
