// Product analytics for the dashboard. Everything Mixpanel receives goes
// through this file, so that a reviewer can see it in one place.
import mixpanel from "mixpanel-browser";
import type { CurrentUser } from "./session";

const TOKEN = import.meta.env.VITE_MIXPANEL_TOKEN as string;

export function initAnalytics(): void {
  mixpanel.init(TOKEN, {
    api_host: "https://api-js.mixpanel.com",
    track_pageview: true,
    persistence: "localStorage",
  });
}

export function identifyUser(user: CurrentUser): void {
  mixpanel.identify(user.id);
  mixpanel.people.set({
    $email: user.email,
    $name: user.displayName,
    org_id: user.organization.id,
  });
  mixpanel.register({ org_id: user.organization.id });
}

export function trackEvent(name: string, props: Record<string, unknown> = {}): void {
  mixpanel.track(name, props);
}

export function resetAnalytics(): void {
  mixpanel.reset();
}
