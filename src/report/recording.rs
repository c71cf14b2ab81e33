//! The summary `observe URL` prints when a recording is done: how many
//! requests each host received. It shows hosts and counts only; what the
//! requests carried can be personal data, and is read from the HAR.

use crate::observe::record::{Recording, hosts};

use super::escape;

/// The summary: one line per host, sorted, then what was let through.
pub fn text(rec: &Recording) -> String {
    let by_host = hosts(&rec.har);
    let total: usize = by_host.values().sum();
    let mut out = format!(
        "Recorded {total} request(s) to {} other host(s); each was answered locally, none was sent.\n",
        by_host.len()
    );
    let width = by_host.keys().map(|h| h.chars().count()).max().unwrap_or(0);
    for (host, n) in &by_host {
        out.push_str(&format!("  {:<width$}  {n}\n", escape::terminal(host)));
    }
    out.push_str(&format!(
        "{} request(s) to the page's own origin were let through.\n",
        rec.own_requests
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observe::record::har::*;

    fn entry(url: &str) -> Entry {
        Entry {
            pageref: None,
            started_date_time: "1970-01-01T00:00:00.000Z".into(),
            time: 0.0,
            request: Request {
                method: "GET".into(),
                url: url.into(),
                http_version: "HTTP/1.1".into(),
                headers: vec![],
                query_string: vec![],
                cookies: vec![],
                headers_size: -1,
                body_size: 0,
                post_data: None,
            },
            response: Response {
                status: 204,
                status_text: "No Content".into(),
                http_version: "HTTP/1.1".into(),
                headers: vec![],
                cookies: vec![],
                content: Content {
                    size: 0,
                    mime_type: "text/plain".into(),
                },
                redirect_url: String::new(),
                headers_size: -1,
                body_size: 0,
                comment: None,
            },
            cache: Default::default(),
            timings: Timings::local(),
            resource_type: None,
        }
    }

    #[test]
    fn the_summary_shows_hosts_and_counts_but_no_payload() {
        let rec = Recording {
            har: Har {
                log: Log {
                    version: "1.2".into(),
                    creator: Creator {
                        name: "t".into(),
                        version: "0".into(),
                    },
                    pages: vec![],
                    entries: vec![
                        entry("https://www.facebook.com/tr/?ud[em]=secret"),
                        entry("https://api-js.mixpanel.com/track/?ip=1"),
                        entry("https://www.facebook.com/tr/?ev=PageView"),
                    ],
                    comment: None,
                },
            },
            own_requests: 2,
            dropped: 0,
        };
        let t = text(&rec);
        assert_eq!(
            t,
            "Recorded 3 request(s) to 2 other host(s); each was answered locally, none was sent.\n  api-js.mixpanel.com  1\n  www.facebook.com     2\n2 request(s) to the page's own origin were let through.\n"
        );
        assert!(!t.contains("secret"));
    }
}
