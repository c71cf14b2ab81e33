//! The field classifier measured on a labelled list of identifiers drawn
//! from real code (tests/classifier/labelled.tsv): precision, recall and
//! accuracy on exact taxonomy keys, and a looser "family" score where a
//! parent or child of the labelled key counts.
//!
//! A prediction is *exact* when it equals the label (`none` included).
//! Precision: exact positive predictions / all positive predictions.
//! Recall: exact predictions of labelled positives / all labelled positives.
//! Accuracy: exact predictions / all rows.
//! Family: a positive prediction that is the label, an ancestor or a
//! descendant of it (`user.contact.address` for `user.contact.address.city`).

use std::collections::BTreeMap;

use blastmap::catalog::taxonomy::Taxonomy;
use blastmap::scan::classify::classify_arg;

/// Thresholds: what the classifier achieved when they were set, minus a
/// small margin. Measured on 1159 rows: accuracy 0.938, precision 0.980,
/// recall 0.885, family precision 0.982. The 122 held-out rows (Amplitude,
/// Stripe), run once against the classifier before it saw them, scored
/// accuracy 0.83 and recall 0.67; the bank, card and plural fixes that
/// followed were made after that run. The anchor scanner claims 93% accuracy.
const MIN_PRECISION: f64 = 0.97;
const MIN_RECALL: f64 = 0.87;
const MIN_ACCURACY: f64 = 0.931;
const MIN_FAMILY_PRECISION: f64 = 0.97;
const MIN_ROWS: usize = 500;

struct Row {
    line: usize,
    identifier: String,
    receiver: String,
    expected: Option<String>,
    source: String,
}

fn load() -> Vec<Row> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/classifier/labelled.tsv");
    let text = std::fs::read_to_string(path).expect("tests/classifier/labelled.tsv is readable");
    let mut rows = Vec::new();
    let mut header_seen = false;
    for (i, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(
            cols.len(),
            4,
            "line {}: expected 4 tab-separated columns: {line:?}",
            i + 1
        );
        if !header_seen {
            assert_eq!(
                cols,
                ["identifier", "receiver", "expected", "source"],
                "header"
            );
            header_seen = true;
            continue;
        }
        rows.push(Row {
            line: i + 1,
            identifier: cols[0].to_string(),
            receiver: cols[1].to_string(),
            expected: (cols[2] != "none").then(|| cols[2].to_string()),
            source: cols[3].to_string(),
        });
    }
    rows
}

/// How the test feeds a row to the classifier: an expression
/// (`user.email`, `String(user.id)`) or `receiver.identifier` is read as a
/// member chain; a bare key (`'Profile URL'`, `$email`) as an object key.
fn predict(row: &Row) -> Option<String> {
    let is_expression = row.identifier.contains(['.', '(', '[', '@']);
    let out = if !row.receiver.is_empty() {
        classify_arg(None, &format!("{}.{}", row.receiver, row.identifier))
    } else if is_expression {
        classify_arg(None, &row.identifier)
    } else {
        classify_arg(Some(&row.identifier), "")
    };
    out.map(|c| c.category)
}

#[derive(Default, Debug, Clone, Copy)]
struct Score {
    rows: usize,
    exact: usize,
    predicted: usize,
    predicted_exact: usize,
    predicted_family: usize,
    positives: usize,
    positives_exact: usize,
    positives_family: usize,
}

impl Score {
    fn add(&mut self, expected: Option<&str>, got: Option<&str>) {
        let family = match (expected, got) {
            (Some(e), Some(g)) => Taxonomy::is_within(e, g) || Taxonomy::is_within(g, e),
            _ => false,
        };
        self.rows += 1;
        self.exact += usize::from(expected == got);
        if got.is_some() {
            self.predicted += 1;
            self.predicted_exact += usize::from(expected == got);
            self.predicted_family += usize::from(family);
        }
        if expected.is_some() {
            self.positives += 1;
            self.positives_exact += usize::from(expected == got);
            self.positives_family += usize::from(family);
        }
    }
    fn ratio(a: usize, b: usize) -> f64 {
        if b == 0 { 1.0 } else { a as f64 / b as f64 }
    }
    fn precision(&self) -> f64 {
        Self::ratio(self.predicted_exact, self.predicted)
    }
    fn recall(&self) -> f64 {
        Self::ratio(self.positives_exact, self.positives)
    }
    fn accuracy(&self) -> f64 {
        Self::ratio(self.exact, self.rows)
    }
    fn family_precision(&self) -> f64 {
        Self::ratio(self.predicted_family, self.predicted)
    }
    fn family_recall(&self) -> f64 {
        Self::ratio(self.positives_family, self.positives)
    }
    fn line(&self) -> String {
        format!(
            "rows {:4}  accuracy {:.3}  precision {:.3}  recall {:.3}  family precision {:.3}  family recall {:.3}",
            self.rows,
            self.accuracy(),
            self.precision(),
            self.recall(),
            self.family_precision(),
            self.family_recall()
        )
    }
}

#[test]
fn labelled_list_is_well_formed() {
    let rows = load();
    assert!(
        rows.len() >= MIN_ROWS,
        "only {} labelled rows; the issue asks for at least {MIN_ROWS}",
        rows.len()
    );
    let taxonomy = Taxonomy::builtin();
    let mut seen = std::collections::HashSet::new();
    for r in &rows {
        if let Some(e) = &r.expected {
            assert!(
                taxonomy.contains(e),
                "line {}: `{e}` is not a taxonomy key",
                r.line
            );
        }
        assert!(!r.source.is_empty(), "line {}: no source note", r.line);
        assert!(
            seen.insert((r.identifier.clone(), r.receiver.clone())),
            "line {}: duplicate row",
            r.line
        );
    }
    let negatives = rows.iter().filter(|r| r.expected.is_none()).count();
    assert!(
        negatives * 3 >= rows.len(),
        "the list needs plenty of negatives: {negatives} of {}",
        rows.len()
    );
}

#[test]
fn classifier_precision_recall_accuracy() {
    let rows = load();
    let mut total = Score::default();
    let mut by_source: BTreeMap<&str, Score> = BTreeMap::new();
    let mut confusion: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for r in &rows {
        let got = predict(r);
        total.add(r.expected.as_deref(), got.as_deref());
        by_source
            .entry(&r.source)
            .or_default()
            .add(r.expected.as_deref(), got.as_deref());
        if got != r.expected {
            let shown = if r.receiver.is_empty() {
                r.identifier.clone()
            } else {
                format!("{}.{}", r.receiver, r.identifier)
            };
            confusion
                .entry((
                    r.expected.clone().unwrap_or_else(|| "none".into()),
                    got.unwrap_or_else(|| "none".into()),
                ))
                .or_default()
                .push(shown);
        }
    }
    eprintln!("all            {}", total.line());
    for (source, s) in &by_source {
        let short: String = source.chars().take(70).collect();
        eprintln!("  {:<72} {}", short, s.line());
    }
    let failed = total.precision() < MIN_PRECISION
        || total.recall() < MIN_RECALL
        || total.accuracy() < MIN_ACCURACY
        || total.family_precision() < MIN_FAMILY_PRECISION;
    if failed || std::env::var_os("CLASSIFIER_CONFUSION").is_some() {
        eprintln!("\nconfusion (expected -> got: identifiers):");
        let mut pairs: Vec<_> = confusion.iter().collect();
        pairs.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(b.0)));
        for ((e, g), ids) in pairs {
            eprintln!("  {e} -> {g} ({}): {}", ids.len(), ids.join(", "));
        }
    }
    assert!(
        total.precision() >= MIN_PRECISION,
        "precision {:.3} < {MIN_PRECISION}",
        total.precision()
    );
    assert!(
        total.recall() >= MIN_RECALL,
        "recall {:.3} < {MIN_RECALL}",
        total.recall()
    );
    assert!(
        total.accuracy() >= MIN_ACCURACY,
        "accuracy {:.3} < {MIN_ACCURACY}",
        total.accuracy()
    );
    assert!(
        total.family_precision() >= MIN_FAMILY_PRECISION,
        "family precision {:.3} < {MIN_FAMILY_PRECISION}",
        total.family_precision()
    );
}
