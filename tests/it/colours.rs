//! The severity colours of the HTML pages (badges, the page band, the
//! diagram's nodes) tell every level apart in normal vision and under the
//! common colour-vision deficiencies (protanopia, deuteranopia,
//! tritanopia, simulated with Machado et al.'s 2009 matrices at full
//! severity), and keep white badge text readable.

/// `#rrggbb` → sRGB in 0..1.
fn rgb(hex: &str) -> [f64; 3] {
    let h = hex.trim_start_matches('#');
    let c = |i: usize| f64::from(u8::from_str_radix(&h[i..i + 2], 16).unwrap()) / 255.0;
    [c(0), c(2), c(4)]
}

fn linear(c: f64) -> f64 {
    if c <= 0.04045 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

fn lab(lin: [f64; 3]) -> [f64; 3] {
    let [r, g, b] = lin.map(|v| v.clamp(0.0, 1.0));
    let x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
    let y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    let z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
    let f = |t: f64| {
        if t > 0.008856 {
            t.cbrt()
        } else {
            7.787 * t + 16.0 / 116.0
        }
    };
    [
        116.0 * f(y) - 16.0,
        500.0 * (f(x) - f(y)),
        200.0 * (f(y) - f(z)),
    ]
}

fn simulate(m: &[[f64; 3]; 3], lin: [f64; 3]) -> [f64; 3] {
    let mut out = [0.0; 3];
    for (i, row) in m.iter().enumerate() {
        out[i] = row[0] * lin[0] + row[1] * lin[1] + row[2] * lin[2];
    }
    out
}

fn delta(a: [f64; 3], b: [f64; 3]) -> f64 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)).sqrt()
}

fn luminance(c: [f64; 3]) -> f64 {
    let l = c.map(linear);
    0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2]
}

/// The value of a CSS custom property or rule colour in a stylesheet.
fn colour_of(css: &str, needle: &str) -> String {
    let at = css
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} in the CSS"));
    let rest = &css[at + needle.len()..];
    let hash = rest.find('#').unwrap();
    rest[hash..hash + 7].to_string()
}

const NORMAL: [[f64; 3]; 3] = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];
const PROTAN: [[f64; 3]; 3] = [
    [0.152286, 1.052583, -0.204868],
    [0.114503, 0.786281, 0.099216],
    [-0.003882, -0.048116, 1.051998],
];
const DEUTAN: [[f64; 3]; 3] = [
    [0.367322, 0.860646, -0.227968],
    [0.280085, 0.672501, 0.047413],
    [-0.011820, 0.042940, 0.968881],
];
const TRITAN: [[f64; 3]; 3] = [
    [1.255528, -0.076749, -0.178779],
    [-0.078411, 0.930809, 0.147602],
    [0.004733, 0.691367, 0.303900],
];

fn check(set: &str, colours: &[(&str, String)], min: f64) {
    for (vision, m) in [
        ("normal", NORMAL),
        ("protanopia", PROTAN),
        ("deuteranopia", DEUTAN),
        ("tritanopia", TRITAN),
    ] {
        for (i, (a, ca)) in colours.iter().enumerate() {
            for (b, cb) in &colours[i + 1..] {
                let la = lab(simulate(&m, rgb(ca).map(linear)));
                let lb = lab(simulate(&m, rgb(cb).map(linear)));
                let d = delta(la, lb);
                assert!(
                    d >= min,
                    "{set}: {a} {ca} and {b} {cb} differ by only ΔE {d:.1} in {vision}"
                );
            }
        }
    }
}

#[test]
fn severity_colours_differ_for_every_vision() {
    let page = std::fs::read_to_string("templates/page.css").unwrap();
    let badges: Vec<(&str, String)> = ["low", "medium", "high", "critical"]
        .iter()
        .map(|s| (*s, colour_of(&page, &format!("--{s}:"))))
        .collect();
    check("badges", &badges, 20.0);
    for (level, c) in &badges {
        // White text on the badge: WCAG contrast of at least 4.5:1.
        let contrast = 1.05 / (luminance(rgb(c)) + 0.05);
        assert!(contrast >= 4.5, "{level} {c}: contrast {contrast:.1}");
    }
    let bands: Vec<(&str, String)> = ["low", "medium", "high", "critical"]
        .iter()
        .map(|s| (*s, colour_of(&page, &format!(".sev-{s}{{--sev:"))))
        .collect();
    check("page band", &bands, 20.0);
    let diagram = std::fs::read_to_string("templates/diagram.css").unwrap();
    let nodes: Vec<(&str, String)> = ["low", "medium", "high", "critical"]
        .iter()
        .map(|s| (*s, colour_of(&diagram, &format!(".s-{s}{{fill:"))))
        .collect();
    check("diagram", &nodes, 20.0);
}
