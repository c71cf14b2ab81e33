// Lists and revokes API keys. Keys are shown once, at creation; this page
// only ever receives their prefixes from our own API.
import type { CurrentUser } from "../session";

export async function show(user: CurrentUser | null): Promise<void> {
  if (!user) return;
  const res = await fetch(`/api/v1/orgs/${user.organization.id}/keys`, { credentials: "include" });
  const keys: { prefix: string; created: string }[] = await res.json();
  console.table(keys);
}
