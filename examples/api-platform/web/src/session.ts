export interface Organization {
  id: string;
  name: string;
}

export interface CurrentUser {
  id: string;
  email: string;
  displayName: string;
  organization: Organization;
}

export async function fetchCurrentUser(): Promise<CurrentUser> {
  const res = await fetch("/api/v1/me", { credentials: "include" });
  if (!res.ok) throw new Error(`session: ${res.status}`);
  return res.json();
}
