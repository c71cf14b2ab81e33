//! Options a provider-neutral model SDK (npm `ai`) sends to one provider
//! only. `generateText({ ..., providerOptions })` passes each entry of
//! `providerOptions` to the provider it is named for (`openrouter`,
//! `anthropic`), so a function that writes what it is given into such an
//! entry (`tags.user = userId`, then `{ ...options, openrouter: tags }`)
//! sends it to that provider, and its callers, here and in other files,
//! send what they pass. The traps: a function that names another
//! provider's entry but writes none of its parameters into it, a provider
//! named only in a comparison, and a provider installed for development
//! only.

use crate::scan_support;

use scan_support::*;

const PACKAGE: &str = r#"{
  "name": "assistant",
  "dependencies": {
    "ai": "6.0.0",
    "@ai-sdk/anthropic": "3.0.0",
    "@openrouter/ai-sdk-provider": "1.2.0",
    "next": "15.0.0"
  },
  "devDependencies": { "@ai-sdk/groq": "2.0.0" }
}
"#;

const LLM: &str = r#"import { generateText } from "ai";
import { pickModel } from "./model";

export async function summarise({ account, text }: { account: Account; text: string }) {
  const { model, provider } = pickModel();
  const providerOptions = cacheHints(
    routerTags({ provider, options: {}, userId: account.userId }),
    account.threadId,
  );
  return generateText({
    model,
    system: "Summarise the email in two sentences.",
    prompt: text,
    providerOptions,
  });
}

function routerTags({
  provider,
  options,
  userId,
}: {
  provider: string;
  options: Record<string, Record<string, string>>;
  userId?: string;
}) {
  if (provider !== "openrouter") return options;
  const tags = { ...(options.openrouter ?? {}) };
  if (userId) tags.user = userId;
  return { ...options, openrouter: tags };
}

function cacheHints(options: Record<string, unknown>, threadId: string) {
  if (!threadId) return options;
  return { ...options, anthropic: { cacheControl: { type: "ephemeral" } } };
}

function groqTags(options: Record<string, Record<string, string>>, userId: string) {
  return { ...options, groq: { user: userId } };
}
"#;

const MODEL: &str = r#"import { anthropic } from "@ai-sdk/anthropic";
import { createOpenRouter } from "@openrouter/ai-sdk-provider";

const openrouter = createOpenRouter({ apiKey: process.env.OPENROUTER_API_KEY });

export function pickModel() {
  if (process.env.LLM_PROVIDER === "openrouter") {
    return { model: openrouter("anthropic/claude-sonnet-4"), provider: "openrouter" };
  }
  return { model: anthropic("claude-sonnet-4-0"), provider: "anthropic" };
}
"#;

const ROUTE: &str = r#"import { summarise } from "@/lib/llm";

export async function POST(req: Request, session: Session) {
  const email = await req.json();
  return Response.json(await summarise({ account: session.account, text: email.body }));
}
"#;

#[test]
fn what_a_function_writes_into_a_providers_options_entry_reaches_that_provider_only() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(root, "package.json", PACKAGE);
    write(
        root,
        "tsconfig.json",
        r#"{"compilerOptions":{"paths":{"@/*":["./*"]}}}"#,
    );
    write(root, "lib/llm.ts", LLM);
    write(root, "lib/model.ts", MODEL);
    write(root, "app/api/summary/route.ts", ROUTE);
    let r = run(root);
    // The prompt goes to both installed providers; the user id only to
    // OpenRouter, written into its entry by `routerTags`, at the call in
    // `summarise` and at the route that passes the account on.
    assert_eq!(
        call_fields(&r, "openrouter"),
        s(&[
            "user.content.private app/api/summary/route.ts:5",
            "user.content.private lib/llm.ts:13",
            "user.unique_id app/api/summary/route.ts:5",
            "user.unique_id lib/llm.ts:7",
        ])
    );
    // `cacheHints` names Anthropic's entry but writes nothing it is given
    // into it: the thread id is only tested.
    assert_eq!(
        call_fields(&r, "anthropic"),
        s(&[
            "user.content.private app/api/summary/route.ts:5",
            "user.content.private lib/llm.ts:13",
        ])
    );
    // Groq is a development dependency: not a provider of the build, even
    // with an entry written for it.
    assert!(
        call_fields(&r, "groq").is_empty(),
        "{:?}",
        call_fields(&r, "groq")
    );
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| (*x).to_string()).collect()
}
