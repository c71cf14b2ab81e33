//! The right product of a company (#12 item 3): a host shared by several of
//! a company's products goes to the product its path belongs to, every
//! whole host belongs to one vendor, and a more specific host wins over its
//! parent domain. Checked against the built-in catalog, so a vendor file
//! that claims another product's host fails here.

use std::collections::BTreeMap;

use blastmap::catalog::Catalog;
use blastmap::scan::endpoint::Domains;
use blastmap::scan::index::Index;

fn vendors_of(url: &str) -> Vec<String> {
    let cat = Catalog::builtin();
    let ix = Index::new(cat);
    let d = Domains::new(&ix);
    d.in_value(url)
        .into_iter()
        .map(|v| ix.vendors[v as usize].clone())
        .collect()
}

#[test]
fn shared_hosts_name_the_product_they_belong_to() {
    let table: &[(&str, &[&str])] = &[
        // Meta: Pixel, Conversions API, Login, Graph API.
        (
            "https://connect.facebook.net/en_US/fbevents.js",
            &["meta-pixel"],
        ),
        (
            "https://connect.facebook.net/en_US/sdk.js",
            &["facebook-login"],
        ),
        (
            "https://www.facebook.com/tr?id=1&ev=PageView",
            &["meta-pixel"],
        ),
        (
            "https://graph.facebook.com/v19.0/${PIXEL_ID}/events",
            &["meta-pixel"],
        ),
        (
            "https://graph.facebook.com/me?fields=id,name,email",
            &["facebook-login"],
        ),
        (
            "https://www.facebook.com/v19.0/dialog/oauth?client_id=1",
            &["facebook-login"],
        ),
        // A profile or share link on www.facebook.com is no product.
        ("https://www.facebook.com/acme", &[]),
        // LinkedIn: Sign-In's userinfo against the Insight tag's Conversions API.
        ("https://api.linkedin.com/v2/userinfo", &["linkedin-login"]),
        (
            "https://api.linkedin.com/rest/conversionEvents",
            &["linkedin-insight"],
        ),
        ("https://px.ads.linkedin.com/collect", &["linkedin-insight"]),
        // ... and the Marketing/Community API's other /rest paths.
        ("https://api.linkedin.com/rest/posts", &["linkedin-api"]),
        // Discord: sign-in against the API (webhooks, bots).
        (
            "https://discordapp.com/api/oauth2/authorize?client_id=1",
            &["discord-oauth"],
        ),
        ("https://discord.com/api/webhooks/123/abc", &["discord-api"]),
        // Microsoft: Entra's OIDC userinfo on Graph's host, against Graph.
        (
            "https://graph.microsoft.com/oidc/userinfo",
            &["microsoft-entra"],
        ),
        (
            "https://graph.microsoft.com/v1.0/me/sendMail",
            &["microsoft-graph"],
        ),
        // Google: Analytics, Sign-In, Maps, Firebase, Cloud.
        (
            "https://www.google-analytics.com/g/collect",
            &["google-analytics"],
        ),
        (
            "https://accounts.google.com/gsi/client",
            &["google-sign-in"],
        ),
        (
            "https://maps.googleapis.com/maps/api/geocode/json",
            &["google-maps"],
        ),
        (
            "https://fcm.googleapis.com/v1/projects/p/messages:send",
            &["firebase-cloud-messaging"],
        ),
        ("https://storage.googleapis.com/bucket/o", &["google-cloud"]),
        // Amazon and Microsoft: a product's own host beats the cloud's.
        (
            "https://acme.auth.us-east-1.amazoncognito.com/oauth2/token",
            &["aws-cognito"],
        ),
        (
            "https://acme.openai.azure.com/openai/deployments/x",
            &["azure-openai"],
        ),
        (
            "https://login.microsoftonline.com/common/oauth2/v2.0/token",
            &["microsoft-entra"],
        ),
        // A vendor's CDN host under a cloud's domain is the vendor's.
        (
            "https://d2wy8f7a9ursnm.cloudfront.net/v7/bugsnag.min.js",
            &["bugsnag"],
        ),
    ];
    let mut wrong = Vec::new();
    for (url, want) in table {
        let got = vendors_of(url);
        if got != *want {
            wrong.push(format!("{url}: got {got:?}, want {want:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn every_whole_host_belongs_to_one_vendor() {
    let mut owners: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for v in Catalog::builtin().iter() {
        for d in &v.domains {
            if !d.contains('/') {
                owners.entry(d.clone()).or_default().push(v.id.clone());
            }
        }
    }
    let shared: Vec<String> = owners
        .into_iter()
        .filter(|(_, v)| v.len() > 1)
        .map(|(d, v)| format!("{d}: {v:?}"))
        .collect();
    assert!(
        shared.is_empty(),
        "hosts claimed by several vendors (give each product its path):\n{}",
        shared.join("\n")
    );
}

/// An import names the product whose package is the most specific:
/// `com.google.firebase.messaging` is Cloud Messaging, not all of Firebase.
#[test]
fn the_most_specific_import_names_the_product() {
    use blastmap::scan::imports::vendors_of;
    use blastmap::scan::lang::Lang;
    let ix = Index::new(Catalog::builtin());
    let names = |lang, m| -> Vec<String> {
        vendors_of(lang, m, &ix)
            .into_iter()
            .map(|v| ix.vendors[v as usize].clone())
            .collect()
    };
    assert_eq!(
        names(
            Lang::Kotlin,
            "com.google.firebase.messaging.FirebaseMessaging"
        ),
        ["firebase-cloud-messaging"]
    );
    assert_eq!(
        names(
            Lang::Java,
            "com.google.firebase.analytics.FirebaseAnalytics"
        ),
        ["firebase-analytics"]
    );
    assert_eq!(
        names(Lang::Java, "com.google.firebase.auth.FirebaseAuth"),
        ["firebase"]
    );
    assert_eq!(
        names(Lang::Swift, "FirebaseMessaging"),
        ["firebase-cloud-messaging"]
    );
}
