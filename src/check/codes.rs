//! The documentation of each finding code: what it means, an example, and
//! the fix. One table feeds `check --explain`, the SARIF rules and the
//! README's table (a test keeps the README in step).

use crate::model::policy::Code;

/// A code's documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeDoc {
    /// The code.
    pub code: Code,
    /// A short title.
    pub title: &'static str,
    /// What it means.
    pub meaning: &'static str,
    /// An example finding, as `check --format text` prints it.
    pub example: &'static str,
    /// How to fix it.
    pub fix: &'static str,
}

/// The table, in [`Code::ALL`] order.
pub const DOCS: [CodeDoc; 10] = [
    CodeDoc {
        code: Code::UndeclaredVendor,
        title: "Vendor not declared",
        meaning: "The code sends data to a vendor that blastmap.yaml does not list, so no blast radius, review or notice covers it.",
        example: "web/src/analytics.ts:3: undeclared-vendor: the code sends data to Mixpanel (`mixpanel`), which blastmap.yaml does not declare [deny]",
        fix: "declare the vendor under `vendors:` and its flows under `flows:` in blastmap.yaml (`blastmap scan --format yaml` drafts them), or remove the integration",
    },
    CodeDoc {
        code: Code::UndeclaredFlow,
        title: "Flow not declared",
        meaning: "The code sends a field to a vendor, and no declared flow from that component to that vendor carries a field of its category.",
        example: "web/src/signup.ts:14: undeclared-flow: dashboard sends phone numbers (`user.contact.phone_number`, from `user.phone`) to Mixpanel: no declared flow carries it [warn]",
        fix: "add the field to the declared flow's `fields` (the blast radius then counts it), or stop sending it at the call site",
    },
    CodeDoc {
        code: Code::StaleDeclaration,
        title: "Declared, not found in code",
        meaning: "A declared flow from a component with `paths` to a catalog vendor has no integration in that component's code: the map overstates, or the integration is hidden from the scanner (a URL built at run time).",
        example: "blastmap.yaml:70: stale-declaration: billing → salesforce is declared, but the code under billing/** shows no integration with Salesforce [warn]",
        fix: "remove the flow if the integration is gone; if it is real but invisible to the scanner, keep it and set `policy.levels.stale-declaration: allow`",
    },
    CodeDoc {
        code: Code::NewVendor,
        title: "New vendor",
        meaning: "The change starts sending data to a vendor that the baseline (the base revision, or a saved scan) did not use. Denied unless blastmap.yaml declares it; declared, it is a warning, since the declaration in the same change is the approval.",
        example: "web/src/analytics.ts:1: new-vendor: PostHog (`posthog`) is a new vendor: the baseline does not use it; not declared in blastmap.yaml [deny]",
        fix: "declare the vendor and its flows in blastmap.yaml in the same change, so reviewers see what it will receive, or remove the integration",
    },
    CodeDoc {
        code: Code::NewFlow,
        title: "New field sent to a vendor",
        meaning: "The change sends a field to a vendor that the baseline did not send to it. Denied unless a declared flow carries it; declared, it is a warning.",
        example: "web/src/analytics.ts:9: new-flow: dashboard sends email addresses (`user.contact.email`, from `user.email`) to PostHog: new against the baseline; not declared [deny]",
        fix: "declare the field on the flow in blastmap.yaml in the same change, or do not send it",
    },
    CodeDoc {
        code: Code::BlastRadiusGrew,
        title: "Blast radius grew",
        meaning: "A vendor the baseline already used exposes more data categories, or a higher severity, after the change: a breach there would now leak more.",
        example: "web/src/analytics.ts:9: blast-radius-grew: Mixpanel's blast radius grew (score 52 → 77): severity medium → high; newly exposed: phone numbers (`user.contact.phone_number`) [warn]",
        fix: "check that the vendor needs the new data (`blastmap blast VENDOR` shows the whole radius); send identifiers instead of contact data where you can",
    },
    CodeDoc {
        code: Code::PolicyDenied,
        title: "Denied by policy",
        meaning: "A vendor or flow breaks the `policy:` section of blastmap.yaml: a deny rule (categories to vendors or vendor categories), the vendor allowlist, or a maximum severity. Raised for declared flows too: declaring a flow does not make it allowed.",
        example: "web/src/analytics.ts:9: policy-denied: API keys (`user.authorization.credentials`: api_key) reach Mixpanel (`mixpanel`), and policy.deny[0] denies user.authorization to analytics [deny]",
        fix: "stop sending the data (remove it at the call site or from the flow), or change the policy with the approval that needs",
    },
    CodeDoc {
        code: Code::SecretInSource,
        title: "Hard-coded vendor secret",
        meaning: "A vendor secret (a live payment key, a cloud access key) is written in the source. The value is redacted in every output.",
        example: "billing/config.go:12: secret-in-source: a hard-coded Stripe secret: `stripe.Key = \"[REDACTED]\"` [deny]",
        fix: "revoke the key at the vendor now (it is in the repository's history), issue a new one, and load it from the environment or a secret manager",
    },
    CodeDoc {
        code: Code::UnreadChange,
        title: "Changed, but not read",
        meaning: "With `--base`, a file the change adds or modifies could not be read by the gate (larger than --max-file-size, not UTF-8, unreadable), or a submodule's commit changed (its code is another repository's, which neither side reads). An integration there would pass unseen. Files in excluded folders (`dist/`, `vendor/`, `build/`), ignored files and minified bundles that the change touches are read, so they are not this finding. Strict mode denies it.",
        example: "web/dist/app.js: unread-change: the change touches web/dist/app.js, which was not read (too-large): an integration there would not be seen [warn]",
        fix: "keep generated bundles and large files out of the repository, or raise `--max-file-size`; review a submodule update in the submodule's own repository, then set `policy.levels.unread-change: allow` if that is the practice",
    },
    CodeDoc {
        code: Code::HiddenVendor,
        title: "Vendor seen only in traffic",
        meaning: "With `--observed`, recorded traffic shows requests to a vendor that the code scan does not find: it is loaded by a tag manager, a third party's script or configuration outside the code, so no code review sees what it receives. When the recording names the script that sent a request (Chromium's `_initiator`) and that script is a catalog vendor's, the finding names it. Denied unless blastmap.yaml declares the vendor; declared, it is a warning.",
        example: "session.har#entries[7]: hidden-vendor: TikTok Pixel (`tiktok-pixel`) received 2 requests (user.contact.email) that the code scan does not explain: loaded by a tag manager or a third party's script? Not declared in blastmap.yaml [deny]",
        fix: "find what loads it (the tag manager's container, a widget's script) and remove it there, or declare the vendor and its flows in blastmap.yaml so its blast radius is counted",
    },
];

/// The documentation of a code.
pub fn doc(code: Code) -> &'static CodeDoc {
    DOCS.iter().find(|d| d.code == code).unwrap_or(&DOCS[0])
}

/// `check --explain CODE`: the documentation as text.
pub fn explain(code: Code) -> String {
    let d = doc(code);
    format!(
        "{code}: {title}\n\n{meaning}\n\nExample:\n  {example}\n\nFix: {fix}\n\nDefault level: {level}\n",
        code = code.as_str(),
        title = d.title,
        meaning = d.meaning,
        example = d.example,
        fix = d.fix,
        level = code.default_level().as_str()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_its_own_entry_in_order() {
        for (d, c) in DOCS.iter().zip(Code::ALL) {
            assert_eq!(d.code, c);
            assert!(
                d.example.contains(&format!(": {}: ", c.as_str())),
                "{}",
                d.example
            );
            assert_eq!(doc(c).code, c);
        }
    }
}
