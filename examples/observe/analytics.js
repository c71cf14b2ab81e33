// Acme's analytics glue, written for blastmap's observe example. It is our
// own code, not any vendor's SDK: it sends to the vendors' hosts in the
// shapes their SDKs use, so the recording has what a real page would send.
//
//   Mixpanel   POST api-js.mixpanel.com/track/    form body `data=` + base64 JSON
//   Segment    POST api.segment.io/v1/batch       JSON batch, sent as text/plain
//   GA4        sendBeacon www.google-analytics.com/g/collect?v=2&...
//   Meta Pixel GET  www.facebook.com/tr/?...       image; email SHA-256-hashed
(function () {
  'use strict';

  const MIXPANEL_TOKEN = 'example-mixpanel-token';
  const SEGMENT_WRITE_KEY = 'example-segment-write-key';
  const GA_ID = 'G-EXAMPLE123';
  const PIXEL_ID = '000000000000000';

  const anonymousId = 'anon-' + Math.random().toString(36).slice(2, 10);

  function device() {
    return {
      url: location.href,
      referrer: document.referrer,
      userAgent: navigator.userAgent,
      language: navigator.language,
      screen: screen.width + 'x' + screen.height,
    };
  }

  // Mixpanel's browser SDK: a form POST whose `data` is base64 of a JSON
  // array of events.
  function mixpanel(event, properties) {
    const d = device();
    const payload = [{
      event: event,
      properties: Object.assign({
        token: MIXPANEL_TOKEN,
        distinct_id: anonymousId,
        $current_url: d.url,
        $referrer: d.referrer,
        $browser: 'Chrome',
        $screen_width: screen.width,
        $screen_height: screen.height,
        mp_lib: 'web',
      }, properties || {}),
    }];
    const json = JSON.stringify(payload);
    const data = btoa(unescape(encodeURIComponent(json)));
    return fetch('https://api-js.mixpanel.com/track/?verbose=1&ip=1', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'data=' + encodeURIComponent(data),
    }).catch(() => {});
  }

  // Segment's analytics.js: a batch of messages, JSON sent as text/plain
  // (no CORS preflight).
  function segment(messages) {
    const d = device();
    const now = new Date().toISOString();
    const batch = messages.map((m) => Object.assign({
      anonymousId: anonymousId,
      timestamp: now,
      context: {
        page: { url: d.url, referrer: d.referrer, path: location.pathname, title: document.title },
        userAgent: d.userAgent,
        locale: d.language,
        library: { name: 'acme-glue', version: '1.0.0' },
      },
    }, m));
    return fetch('https://api.segment.io/v1/batch', {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: JSON.stringify({ batch: batch, writeKey: SEGMENT_WRITE_KEY, sentAt: now }),
    }).catch(() => {});
  }

  // GA4's gtag.js: Measurement Protocol parameters on /g/collect, sent by
  // navigator.sendBeacon.
  function ga4(eventName, extra) {
    const d = device();
    const params = new URLSearchParams(Object.assign({
      v: '2',
      tid: GA_ID,
      cid: anonymousId,
      en: eventName,
      dl: d.url,
      dr: d.referrer,
      dt: document.title,
      ul: d.language.toLowerCase(),
      sr: d.screen,
    }, extra || {}));
    navigator.sendBeacon('https://www.google-analytics.com/g/collect?' + params.toString());
  }

  async function sha256(text) {
    const bytes = new TextEncoder().encode(text);
    const digest = await crypto.subtle.digest('SHA-256', bytes);
    return Array.from(new Uint8Array(digest)).map((b) => b.toString(16).padStart(2, '0')).join('');
  }

  // The Meta Pixel: an image request to /tr; "advanced matching" sends the
  // email normalised (trimmed, lower-cased) and SHA-256-hashed as ud[em].
  function pixel(eventName, userData) {
    const d = device();
    const params = new URLSearchParams({ id: PIXEL_ID, ev: eventName, dl: d.url, rl: d.referrer, sw: String(screen.width), sh: String(screen.height) });
    for (const [k, v] of Object.entries(userData || {})) {
      params.set('ud[' + k + ']', v);
    }
    const img = new Image(1, 1);
    img.src = 'https://www.facebook.com/tr/?' + params.toString();
  }

  window.acmeAnalytics = {
    async signedUp(user) {
      const email = user.email.trim().toLowerCase();
      await Promise.all([
        mixpanel('Sign Up', { $email: user.email, $name: user.name, $phone: user.phone }),
        segment([{ type: 'identify', userId: email, traits: { email: user.email, name: user.name, phone: user.phone } },
                 { type: 'track', event: 'Signed Up', properties: { plan: 'free' } }]),
      ]);
      ga4('sign_up', { 'ep.method': 'email' });
      pixel('Lead', { em: await sha256(email) });
    },
  };

  // The page view every SDK sends by itself on load.
  mixpanel('$mp_web_page_view');
  segment([{ type: 'page', name: document.title }]);
  ga4('page_view');
  pixel('PageView');
})();
